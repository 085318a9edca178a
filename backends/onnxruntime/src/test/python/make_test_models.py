#!/usr/bin/python3
"""Writes the small ONNX models the ONNX Runtime backend's tests run.

Run from anywhere with Debian's python3-onnx (1.12) and numpy:

    /usr/bin/python3 backends/onnxruntime/src/test/python/make_test_models.py

The output is deterministic (no random weights; the corrupt file comes from a seeded generator), so
re-running it leaves the committed files unchanged.
"""

import os

import numpy as np
from onnx import TensorProto, checker, helper, save_model

OPSET = 13  # Identity-13 is the first that accepts bfloat16.
IR_VERSION = 7  # the IR version that goes with opset 13

OUT_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "resources", "models"
)

# Triton datatype name -> ONNX element type; every Triton type has one.
IDENTITY_TYPES = {
    "bool": TensorProto.BOOL,
    "uint8": TensorProto.UINT8,
    "uint16": TensorProto.UINT16,
    "uint32": TensorProto.UINT32,
    "uint64": TensorProto.UINT64,
    "int8": TensorProto.INT8,
    "int16": TensorProto.INT16,
    "int32": TensorProto.INT32,
    "int64": TensorProto.INT64,
    "fp16": TensorProto.FLOAT16,
    "fp32": TensorProto.FLOAT,
    "fp64": TensorProto.DOUBLE,
    "bf16": TensorProto.BFLOAT16,
    "bytes": TensorProto.STRING,
}


def write(graph, filename, extra_opsets=()):
    model = helper.make_model(
        graph,
        producer_name="tensorgate-tests",
        opset_imports=[helper.make_opsetid("", OPSET)]
        + [helper.make_opsetid(domain, version) for domain, version in extra_opsets],
    )
    model.ir_version = IR_VERSION
    checker.check_model(model)
    save_model(model, os.path.join(OUT_DIR, filename))


def add_sub_int32():
    """Triton's "simple" model: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1, INT32 [-1,16]."""
    shape = ["batch", 16]
    graph = helper.make_graph(
        [
            helper.make_node("Add", ["INPUT0", "INPUT1"], ["OUTPUT0"]),
            helper.make_node("Sub", ["INPUT0", "INPUT1"], ["OUTPUT1"]),
        ],
        "add_sub_int32",
        [
            helper.make_tensor_value_info("INPUT0", TensorProto.INT32, shape),
            helper.make_tensor_value_info("INPUT1", TensorProto.INT32, shape),
        ],
        [
            helper.make_tensor_value_info("OUTPUT0", TensorProto.INT32, shape),
            helper.make_tensor_value_info("OUTPUT1", TensorProto.INT32, shape),
        ],
    )
    write(graph, "add_sub_int32.onnx")


def identity(name, elem_type):
    """OUTPUT0 = INPUT0, shape [batch, n] with both dimensions symbolic."""
    shape = ["batch", "n"]
    graph = helper.make_graph(
        [helper.make_node("Identity", ["INPUT0"], ["OUTPUT0"])],
        "identity_" + name,
        [helper.make_tensor_value_info("INPUT0", elem_type, shape)],
        [helper.make_tensor_value_info("OUTPUT0", elem_type, shape)],
    )
    write(graph, "identity_" + name + ".onnx")


def identity_fp32_fixed():
    """OUTPUT0 = INPUT0 with the fixed shape [2,3]: no batch dimension to give."""
    graph = helper.make_graph(
        [helper.make_node("Identity", ["INPUT0"], ["OUTPUT0"])],
        "identity_fp32_fixed",
        [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("OUTPUT0", TensorProto.FLOAT, [2, 3])],
    )
    write(graph, "identity_fp32_fixed.onnx")


def cast_to_unsigned():
    """INT64 [-1] in, the same values cast to UINT16, UINT32 and UINT64 out."""
    outputs = {"OUT_UINT16": TensorProto.UINT16, "OUT_UINT32": TensorProto.UINT32,
               "OUT_UINT64": TensorProto.UINT64}
    graph = helper.make_graph(
        [helper.make_node("Cast", ["INPUT0"], [name], to=t) for name, t in outputs.items()],
        "cast_to_unsigned",
        [helper.make_tensor_value_info("INPUT0", TensorProto.INT64, ["n"])],
        [helper.make_tensor_value_info(name, t, ["n"]) for name, t in outputs.items()],
    )
    write(graph, "cast_to_unsigned.onnx")


def scalar_double():
    """A rank-0 FP32 input; OUTPUT0 = 2 * INPUT0 and RANK = the rank ONNX Runtime was given."""
    two = helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])
    graph = helper.make_graph(
        [
            helper.make_node("Mul", ["INPUT0", "two"], ["OUTPUT0"]),
            helper.make_node("Shape", ["INPUT0"], ["shape"]),
            helper.make_node("Size", ["shape"], ["RANK"]),
        ],
        "scalar_double",
        [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, [])],
        [
            helper.make_tensor_value_info("OUTPUT0", TensorProto.FLOAT, []),
            helper.make_tensor_value_info("RANK", TensorProto.INT64, []),
        ],
        initializer=[two],
    )
    write(graph, "scalar_double.onnx")


def sequence_output():
    """A model whose output is a sequence of tensors, which the backend does not serve."""
    graph = helper.make_graph(
        [helper.make_node("SequenceConstruct", ["INPUT0", "INPUT0"], ["OUTPUT0"])],
        "sequence_output",
        [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, ["n"])],
        [helper.make_tensor_sequence_value_info("OUTPUT0", TensorProto.FLOAT, ["n"])],
    )
    write(graph, "sequence_output.onnx")


def label_encoder_bytes():
    """OUTPUT0 (INT64) = which of four byte strings each INPUT0 element is, -1 for any other:
    'he\\x00llo' 1, U+1F600 in UTF-8 2, the invalid UTF-8 FF FE 3, the empty string 4 (ai.onnx.ml
    LabelEncoder). Shows that the model sees each element's bytes, not a re-encoding of them."""
    keys = [b"he\x00llo", "\U0001F600".encode("utf-8"), b"\xff\xfe", b""]
    graph = helper.make_graph(
        [
            helper.make_node(
                "LabelEncoder",
                ["INPUT0"],
                ["OUTPUT0"],
                domain="ai.onnx.ml",
                keys_strings=keys,
                values_int64s=[1, 2, 3, 4],
                default_int64=-1,
            )
        ],
        "label_encoder_bytes",
        [helper.make_tensor_value_info("INPUT0", TensorProto.STRING, ["n"])],
        [helper.make_tensor_value_info("OUTPUT0", TensorProto.INT64, ["n"])],
    )
    write(graph, "label_encoder_bytes.onnx", extra_opsets=[("ai.onnx.ml", 2)])


def corrupt():
    """Bytes that are not a protobuf ModelProto."""
    rng = np.random.default_rng(20240601)
    with open(os.path.join(OUT_DIR, "corrupt.onnx"), "wb") as f:
        f.write(b"\xff\xff\xff\xff" + rng.integers(0, 256, 252, dtype=np.uint8).tobytes())


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    add_sub_int32()
    for name, elem_type in IDENTITY_TYPES.items():
        identity(name, elem_type)
    identity_fp32_fixed()
    cast_to_unsigned()
    scalar_double()
    sequence_output()
    label_encoder_bytes()
    corrupt()


if __name__ == "__main__":
    main()
