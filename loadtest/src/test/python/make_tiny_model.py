#!/usr/bin/python3
"""Writes the tiny ONNX model the `inprocess` tests run.

x: FLOAT [batch, 4] -> y = Relu(x @ W + b): FLOAT [batch, 3], with a dynamic batch dimension.
Run with the system python (python3-onnx 1.12):

    /usr/bin/python3 loadtest/src/test/python/make_tiny_model.py \
        loadtest/src/test/resources/models/tiny.onnx
"""
import sys

import onnx
from onnx import TensorProto, helper


def build():
    weights = helper.make_tensor(
        "W", TensorProto.FLOAT, [4, 3], [0.1 * i for i in range(12)])
    bias = helper.make_tensor("b", TensorProto.FLOAT, [3], [0.5, -0.5, 0.0])
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "W"], ["xw"]),
            helper.make_node("Add", ["xw", "b"], ["z"]),
            helper.make_node("Relu", ["z"], ["y"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
        initializer=[weights, bias],
    )
    # Opset 13 and IR 7 keep the file loadable by any ONNX Runtime of the last years.
    model = helper.make_model(
        graph, producer_name="tensorgate-loadtest",
        opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "tiny.onnx"
    onnx.save(build(), out)
