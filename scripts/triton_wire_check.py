#!/usr/bin/python3
"""Checks a running Tensorgate server over Triton's gRPC wire format.

An independent second client: Python gRPC stubs are generated at run time from
the project's own .proto files (proto/src/main/proto) with grpc_tools.protoc, so
this checks the bytes on the wire rather than the Java code that produced them.
The server must serve the sample models simple and simple_identity. Needs Debian's
python3-grpcio, python3-grpc-tools and python3-numpy:

    /usr/bin/python3 scripts/triton_wire_check.py --url 127.0.0.1:8001

Prints one line per check and exits 1 if any check fails, 2 if the stubs
cannot be generated.
"""

import argparse
import importlib
import pathlib
import struct
import sys
import tempfile

import grpc
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto" / "src" / "main" / "proto"
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
HEALTH_SERVING = 1
SIMPLE_DIMS = [-1, 16]


class CheckFailed(Exception):
    pass


def expect(condition, reason):
    if not condition:
        raise CheckFailed(reason)


def generate_stubs(out_dir):
    """Compiles grpc_service.proto and model_config.proto into out_dir and imports them."""
    from grpc_tools import protoc

    include = pathlib.Path(protoc.__file__).parent / "_proto"
    status = protoc.main([
        "grpc_tools.protoc",
        f"-I{PROTO_DIR}",
        f"-I{include}",
        f"--python_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        str(PROTO_DIR / "grpc_service.proto"),
        str(PROTO_DIR / "model_config.proto"),
    ])
    if status != 0:
        raise RuntimeError(f"protoc exited with {status} for {PROTO_DIR}")
    sys.path.insert(0, str(out_dir))
    return (importlib.import_module("grpc_service_pb2"),
            importlib.import_module("grpc_service_pb2_grpc"),
            importlib.import_module("model_config_pb2"))


def read_varint(data, pos):
    result = shift = 0
    while True:
        if pos >= len(data):
            raise CheckFailed("truncated varint in health response")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def health_status(data):
    """Field 1 (status enum) of a grpc.health.v1.HealthCheckResponse; 0 when absent."""
    pos = status = 0
    while pos < len(data):
        tag, pos = read_varint(data, pos)
        field, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            value, pos = read_varint(data, pos)
            if field == 1:
                status = value
        elif wire_type == 2:
            length, pos = read_varint(data, pos)
            pos += length
        else:
            raise CheckFailed(f"unexpected wire type {wire_type} in health response")
    return status


class WireCheck:
    def __init__(self, channel, timeout, pb, pb_grpc, mc):
        self.channel = channel
        self.timeout = timeout
        self.pb = pb
        self.mc = mc
        self.stub = pb_grpc.GRPCInferenceServiceStub(channel)
        self.a = np.arange(16, dtype=np.int32).reshape(1, 16)
        self.b = np.array([[5, -3, 100, -2147483648, 7, 0, 1, -1,
                            42, 2147483647, -9, 13, 8, -100, 3, 6]], dtype=np.int32)

    def health(self):
        check = self.channel.unary_unary(HEALTH_CHECK)
        status = health_status(check(b"", timeout=self.timeout))
        expect(status == HEALTH_SERVING, f"status {status}, expected SERVING ({HEALTH_SERVING})")
        return "SERVING"

    def server_live(self):
        live = self.stub.ServerLive(self.pb.ServerLiveRequest(), timeout=self.timeout).live
        expect(live, "live = false")
        return "live"

    def server_ready(self):
        ready = self.stub.ServerReady(self.pb.ServerReadyRequest(), timeout=self.timeout).ready
        expect(ready, "ready = false")
        return "ready"

    def server_metadata(self):
        meta = self.stub.ServerMetadata(self.pb.ServerMetadataRequest(), timeout=self.timeout)
        expect(meta.name, "empty server name")
        expect(meta.version, "empty server version")
        return f"{meta.name} {meta.version}, extensions {list(meta.extensions)}"

    def model_metadata(self):
        meta = self.stub.ModelMetadata(
            self.pb.ModelMetadataRequest(name="simple"), timeout=self.timeout)
        expect(meta.name == "simple", f"name {meta.name!r}")
        expect(meta.platform == "onnxruntime_onnx", f"platform {meta.platform!r}")
        for kind, tensors, names in (("input", meta.inputs, ["INPUT0", "INPUT1"]),
                                     ("output", meta.outputs, ["OUTPUT0", "OUTPUT1"])):
            got = [(t.name, t.datatype, list(t.shape)) for t in tensors]
            want = [(n, "INT32", SIMPLE_DIMS) for n in names]
            expect(got == want, f"{kind}s {got}, expected {want}")
        return f"versions {list(meta.versions)}, INT32 {SIMPLE_DIMS} in/out"

    def model_config(self):
        cfg = self.stub.ModelConfig(
            self.pb.ModelConfigRequest(name="simple"), timeout=self.timeout).config
        expect(cfg.name == "simple", f"name {cfg.name!r}")
        expect(cfg.max_batch_size == 8, f"max_batch_size {cfg.max_batch_size}, expected 8")
        for kind, tensors, names in (("input", cfg.input, ["INPUT0", "INPUT1"]),
                                     ("output", cfg.output, ["OUTPUT0", "OUTPUT1"])):
            got = [(t.name, t.data_type, list(t.dims)) for t in tensors]
            want = [(n, self.mc.TYPE_INT32, [16]) for n in names]
            expect(got == want, f"{kind}s {got}, expected {want}")
        return f"platform {cfg.platform!r}, max_batch_size 8, TYPE_INT32 [16] in/out"

    def simple_request(self):
        request = self.pb.ModelInferRequest(model_name="simple", id="wire-check")
        for name in ("INPUT0", "INPUT1"):
            request.inputs.add(name=name, datatype="INT32", shape=[1, 16])
        return request

    def infer_raw(self):
        request = self.simple_request()
        request.raw_input_contents.extend(
            [self.a.astype("<i4").tobytes(), self.b.astype("<i4").tobytes()])
        return self.check_simple_response(
            self.stub.ModelInfer(request, timeout=self.timeout))

    def infer_typed(self):
        request = self.simple_request()
        request.inputs[0].contents.int_contents.extend(self.a.ravel().tolist())
        request.inputs[1].contents.int_contents.extend(self.b.ravel().tolist())
        return self.check_simple_response(
            self.stub.ModelInfer(request, timeout=self.timeout))

    def check_simple_response(self, response):
        expect(response.model_name == "simple", f"model_name {response.model_name!r}")
        expect(response.id == "wire-check", f"id {response.id!r} not echoed")
        with np.errstate(over="ignore"):
            want = {"OUTPUT0": self.a + self.b, "OUTPUT1": self.a - self.b}
        outputs = {o.name: (i, o) for i, o in enumerate(response.outputs)}
        expect(sorted(outputs) == sorted(want), f"outputs {sorted(outputs)}")
        raw = response.raw_output_contents
        expect(not raw or len(raw) == len(response.outputs),
               f"{len(raw)} raw_output_contents for {len(response.outputs)} outputs")
        for name, expected in want.items():
            index, tensor = outputs[name]
            expect(tensor.datatype == "INT32", f"{name} datatype {tensor.datatype!r}")
            expect(list(tensor.shape) == [1, 16], f"{name} shape {list(tensor.shape)}")
            if raw:
                expect(len(raw[index]) == 64, f"{name} has {len(raw[index])} raw bytes, expected 64")
                values = np.frombuffer(raw[index], dtype="<i4")
            else:
                values = np.array(tensor.contents.int_contents, dtype=np.int32)
            expect(np.array_equal(values, expected.ravel()),
                   f"{name} = {values.tolist()}, expected {expected.ravel().tolist()}")
        return "OUTPUT0 = a+b, OUTPUT1 = a-b exact ({})".format(
            "raw_output_contents" if raw else "typed contents")

    def identity_bytes(self):
        """simple_grpc_string_infer_client's identity calls: a NUL inside text, binary blobs."""
        for elements in ([b"he\x00llo"] * 16, [b"\x00\x01\x02\x03"] * 16):
            request = self.pb.ModelInferRequest(model_name="simple_identity")
            request.inputs.add(name="INPUT0", datatype="BYTES", shape=[1, 16])
            sent = b"".join(struct.pack("<I", len(e)) + e for e in elements)
            request.raw_input_contents.append(sent)
            response = self.stub.ModelInfer(request, timeout=self.timeout)
            shape = list(response.outputs[0].shape)
            expect(shape == [1, 16], f"OUTPUT0 shape {shape}, expected [1, 16]")
            got = response.raw_output_contents[0]
            expect(got == sent, f"OUTPUT0 bytes {got[:40]!r}..., expected {sent[:40]!r}...")
        return "b'he\\x00llo' and b'\\x00\\x01\\x02\\x03' x16 back byte for byte"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="127.0.0.1:8001", help="host:port of the gRPC endpoint")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per RPC")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tensorgate-stubs-") as stub_dir:
        try:
            pb, pb_grpc, mc = generate_stubs(stub_dir)
        except Exception as error:  # any failure here means no check can run
            print(f"FAIL generate stubs: {error}")
            return 2
        print(f"ok   generate stubs from {PROTO_DIR}")

        with grpc.insecure_channel(args.url) as channel:
            wire = WireCheck(channel, args.timeout, pb, pb_grpc, mc)
            checks = [
                ("grpc.health.v1.Health/Check", wire.health),
                ("ServerLive", wire.server_live),
                ("ServerReady", wire.server_ready),
                ("ServerMetadata", wire.server_metadata),
                ("ModelMetadata simple", wire.model_metadata),
                ("ModelConfig simple", wire.model_config),
                ("ModelInfer simple raw_input_contents", wire.infer_raw),
                ("ModelInfer simple contents.int_contents", wire.infer_typed),
                ("ModelInfer simple_identity BYTES with NUL", wire.identity_bytes),
            ]
            failures = 0
            for name, check in checks:
                try:
                    print(f"ok   {name}: {check()}")
                except CheckFailed as error:
                    failures += 1
                    print(f"FAIL {name}: {error}")
                except grpc.RpcError as error:
                    failures += 1
                    print(f"FAIL {name}: {error.code().name}: {error.details()}")

    print(f"{len(checks) - failures}/{len(checks)} checks passed against {args.url}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
