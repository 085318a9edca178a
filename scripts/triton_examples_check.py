#!/usr/bin/python3
"""Makes the calls of Triton's Python client examples that once failed against Tensorgate.

tritonclient's gRPC examples (src/python/examples of triton-inference-server/client)
run unchanged against Tensorgate; five of them did not at first. This script repeats
what each of those five sends and checks, with stubs generated at run time from this
project's .proto files (as scripts/triton_wire_check.py does), so the suite can hold
the server to them without tritonclient installed:

  health_metadata      simple_grpc_health_metadata.py (ServerMetadata name 'triton')
  shm                  simple_grpc_shm_client.py (unregister all CUDA regions without CUDA)
  shm_string           simple_grpc_shm_string_client.py (same, BYTES through shared memory)
  reuse_infer_objects  reuse_infer_objects_client.py -i grpc (same, shm and plain in turn)
  model_control        simple_grpc_model_control.py, against a server in explicit mode
                       (Triton's codes and words for failed loads, one index row per model)

The servers must serve the eight models of models/. Each check runs --repeat times
(default 2: the examples must pass twice on one server). Needs Debian's
python3-grpcio, python3-grpc-tools and python3-numpy:

    /usr/bin/python3 scripts/triton_examples_check.py --url 127.0.0.1:8001 \\
        --explicit-url 127.0.0.1:8011

Prints one line per check and exits 1 if any fails.
"""

import argparse
import os
import pathlib
import re
import struct
import sys
import tempfile
from multiprocessing import shared_memory

import grpc
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import triton_wire_check  # noqa: E402  (stub generation is shared)

HEADERS = (("test", "1"), ("dummy", "2"))
REPOSITORY_MODELS = 8  # the example says "There are eight models in the repository directory"


class CheckFailed(Exception):
    pass


def expect(condition, reason):
    if not condition:
        raise CheckFailed(reason)


def expect_error(call, code, text):
    """Runs call, which must fail with the gRPC status code and a message containing text."""
    try:
        call()
    except grpc.RpcError as e:
        expect(e.code() == code, f"expected {code.name}, got {e.code().name}: {e.details()}")
        expect(text in (e.details() or ""), f"expected '{text}' in the error, got: {e.details()}")
        return e.details()
    raise CheckFailed(f"expected {code.name} ('{text}'), the call succeeded")


class Regions:
    """POSIX shared-memory objects of this process, unlinked on close."""

    def __init__(self):
        self.tag = f"tgex{os.getpid()}"
        self.objects = {}

    def create(self, name, size):
        shm = shared_memory.SharedMemory(name=f"{self.tag}_{name}", create=True, size=size)
        self.objects[name] = shm
        return "/" + shm.name

    def write(self, name, data, offset=0):
        self.objects[name].buf[offset:offset + len(data)] = data

    def read(self, name, size, offset=0):
        return bytes(self.objects[name].buf[offset:offset + size])

    def close(self):
        for shm in self.objects.values():
            shm.close()
            shm.unlink()
        self.objects.clear()


def serialize_bytes(items):
    return b"".join(struct.pack("<I", len(b)) + b for b in items)


def deserialize_bytes(data, count):
    out, pos = [], 0
    for _ in range(count):
        (n,) = struct.unpack_from("<I", data, pos)
        out.append(data[pos + 4:pos + 4 + n])
        pos += 4 + n
    return out


class Checks:
    def __init__(self, pb, stub):
        self.pb = pb
        self.stub = stub

    def shm_input(self, name, datatype, region, byte_size, offset=0):
        t = self.pb.ModelInferRequest.InferInputTensor(name=name, datatype=datatype, shape=[1, 16])
        t.parameters["shared_memory_region"].string_param = region
        t.parameters["shared_memory_byte_size"].int64_param = byte_size
        if offset:
            t.parameters["shared_memory_offset"].int64_param = offset
        return t

    def shm_output(self, name, region, byte_size, offset=0):
        t = self.pb.ModelInferRequest.InferRequestedOutputTensor(name=name)
        t.parameters["shared_memory_region"].string_param = region
        t.parameters["shared_memory_byte_size"].int64_param = byte_size
        if offset:
            t.parameters["shared_memory_offset"].int64_param = offset
        return t

    def unregister_all(self):
        self.stub.SystemSharedMemoryUnregister(self.pb.SystemSharedMemoryUnregisterRequest())
        # Without CUDA on the host this must still succeed: there are no CUDA regions.
        self.stub.CudaSharedMemoryUnregister(self.pb.CudaSharedMemoryUnregisterRequest())

    def register(self, name, key, byte_size):
        self.stub.SystemSharedMemoryRegister(
            self.pb.SystemSharedMemoryRegisterRequest(name=name, key=key, byte_size=byte_size))

    def health_metadata(self):
        pb, stub = self.pb, self.stub
        expect(stub.ServerLive(pb.ServerLiveRequest(), metadata=HEADERS).live, "is_server_live")
        expect(stub.ServerReady(pb.ServerReadyRequest()).ready, "is_server_ready")
        expect(stub.ModelReady(pb.ModelReadyRequest(name="simple")).ready, "is_model_ready")
        metadata = stub.ServerMetadata(pb.ServerMetadataRequest())
        expect(metadata.name == "triton", f"get_server_metadata: name is '{metadata.name}'")
        model = stub.ModelMetadata(pb.ModelMetadataRequest(name="simple"), metadata=HEADERS)
        expect(model.name == "simple", "get_model_metadata")
        expect_error(lambda: stub.ModelMetadata(pb.ModelMetadataRequest(name="wrong_model_name")),
                     grpc.StatusCode.NOT_FOUND, "Request for unknown model")
        config = stub.ModelConfig(pb.ModelConfigRequest(name="simple"))
        expect(config.config.name == "simple", "get_model_config")

    def shm(self):
        pb, stub = self.pb, self.stub
        self.unregister_all()
        regions = Regions()
        try:
            in0 = np.arange(16, dtype=np.int32)
            in1 = np.ones(16, dtype=np.int32)
            size = in0.nbytes
            self.register("output_data", regions.create("output_data", size * 2), size * 2)
            key = regions.create("input_data", size * 2)
            regions.write("input_data", in0.tobytes())
            regions.write("input_data", in1.tobytes(), offset=size)
            self.register("input_data", key, size * 2)
            request = pb.ModelInferRequest(model_name="simple")
            request.inputs.extend([
                self.shm_input("INPUT0", "INT32", "input_data", size),
                self.shm_input("INPUT1", "INT32", "input_data", size, offset=size)])
            request.outputs.extend([
                self.shm_output("OUTPUT0", "output_data", size),
                self.shm_output("OUTPUT1", "output_data", size, offset=size)])
            response = stub.ModelInfer(request)
            expect([o.name for o in response.outputs] == ["OUTPUT0", "OUTPUT1"],
                   "OUTPUT0 or OUTPUT1 is missing in the response")
            out0 = np.frombuffer(regions.read("output_data", size), dtype=np.int32)
            out1 = np.frombuffer(regions.read("output_data", size, offset=size), dtype=np.int32)
            expect((out0 == in0 + in1).all(), "shm infer error: incorrect sum")
            expect((out1 == in0 - in1).all(), "shm infer error: incorrect difference")
            status = stub.SystemSharedMemoryStatus(pb.SystemSharedMemoryStatusRequest())
            expect(set(status.regions) == {"input_data", "output_data"},
                   f"system shared memory status lists {sorted(status.regions)}")
            stub.SystemSharedMemoryUnregister(pb.SystemSharedMemoryUnregisterRequest())
        finally:
            regions.close()

    def shm_string(self):
        pb, stub = self.pb, self.stub
        self.unregister_all()
        regions = Regions()
        try:
            in0 = np.arange(16, dtype=np.int32)
            in1 = np.ones(16, dtype=np.int32)
            in0_bytes = serialize_bytes([str(x).encode() for x in in0])
            in1_bytes = serialize_bytes([str(x).encode() for x in in1])
            expected_sum = [str(x).encode() for x in in0 + in1]
            expected_diff = [str(x).encode() for x in in0 - in1]
            out0_size = len(serialize_bytes(expected_sum))
            out1_size = len(serialize_bytes(expected_diff))
            self.register("output0_data", regions.create("output0_data", out0_size), out0_size)
            self.register("output1_data", regions.create("output1_data", out1_size), out1_size)
            key0 = regions.create("input0_data", len(in0_bytes))
            key1 = regions.create("input1_data", len(in1_bytes))
            regions.write("input0_data", in0_bytes)
            regions.write("input1_data", in1_bytes)
            self.register("input0_data", key0, len(in0_bytes))
            self.register("input1_data", key1, len(in1_bytes))
            request = pb.ModelInferRequest(model_name="simple_string")
            request.inputs.extend([
                self.shm_input("INPUT0", "BYTES", "input0_data", len(in0_bytes)),
                self.shm_input("INPUT1", "BYTES", "input1_data", len(in1_bytes))])
            request.outputs.extend([
                self.shm_output("OUTPUT0", "output0_data", out0_size),
                self.shm_output("OUTPUT1", "output1_data", out1_size)])
            response = stub.ModelInfer(request)
            expect([o.name for o in response.outputs] == ["OUTPUT0", "OUTPUT1"],
                   "OUTPUT0 or OUTPUT1 is missing in the response")
            out0 = deserialize_bytes(regions.read("output0_data", out0_size), 16)
            out1 = deserialize_bytes(regions.read("output1_data", out1_size), 16)
            expect(out0 == expected_sum, f"shm infer error: incorrect sum {out0}")
            expect(out1 == expected_diff, f"shm infer error: incorrect difference {out1}")
            stub.SystemSharedMemoryUnregister(pb.SystemSharedMemoryUnregisterRequest())
        finally:
            regions.close()

    def reuse_infer_objects(self):
        pb, stub = self.pb, self.stub
        self.unregister_all()
        regions = Regions()
        try:
            in0 = np.arange(16, dtype=np.int32)
            in1 = np.ones(16, dtype=np.int32)
            size = in0.nbytes
            self.register("output0_data", regions.create("output0_data", size), size)
            self.register("output1_data", regions.create("output1_data", size), size)
            key0 = regions.create("input0_data", size)
            key1 = regions.create("input1_data", size)
            regions.write("input0_data", in0.tobytes())
            regions.write("input1_data", in1.tobytes())
            self.register("input0_data", key0, size)
            self.register("input1_data", key1, size)
            for use_shm in (True, False, True):
                request = pb.ModelInferRequest(model_name="simple")
                if use_shm:
                    a, b = in0, in1
                    request.inputs.extend([
                        self.shm_input("INPUT0", "INT32", "input0_data", size),
                        self.shm_input("INPUT1", "INT32", "input1_data", size)])
                    request.outputs.extend([
                        self.shm_output("OUTPUT0", "output0_data", size),
                        self.shm_output("OUTPUT1", "output1_data", size)])
                else:
                    a, b = in0, in1 * 2
                    request.inputs.extend([
                        pb.ModelInferRequest.InferInputTensor(
                            name="INPUT0", datatype="INT32", shape=[1, 16]),
                        pb.ModelInferRequest.InferInputTensor(
                            name="INPUT1", datatype="INT32", shape=[1, 16])])
                    request.raw_input_contents.extend([a.tobytes(), b.tobytes()])
                    request.outputs.extend([
                        pb.ModelInferRequest.InferRequestedOutputTensor(name="OUTPUT0"),
                        pb.ModelInferRequest.InferRequestedOutputTensor(name="OUTPUT1")])
                response = stub.ModelInfer(request)
                expect([o.name for o in response.outputs] == ["OUTPUT0", "OUTPUT1"],
                       "OUTPUT0 or OUTPUT1 is missing in the response")
                if use_shm:
                    out0 = np.frombuffer(regions.read("output0_data", size), dtype=np.int32)
                    out1 = np.frombuffer(regions.read("output1_data", size), dtype=np.int32)
                else:
                    out0 = np.frombuffer(response.raw_output_contents[0], dtype=np.int32)
                    out1 = np.frombuffer(response.raw_output_contents[1], dtype=np.int32)
                expect((out0 == a + b).all(), "infer error: incorrect sum")
                expect((out1 == a - b).all(), "infer error: incorrect difference")
            stub.SystemSharedMemoryUnregister(pb.SystemSharedMemoryUnregisterRequest())
        finally:
            regions.close()

    def model_control(self):
        pb, stub = self.pb, self.stub

        def load(name, parameters=None):
            request = pb.RepositoryModelLoadRequest(model_name=name)
            for key, value in (parameters or {}).items():
                if isinstance(value, bytes):
                    request.parameters[key].bytes_param = value
                else:
                    request.parameters[key].string_param = value
            stub.RepositoryModelLoad(request)

        def ready(name):
            return stub.ModelReady(pb.ModelReadyRequest(name=name)).ready

        index = stub.RepositoryIndex(pb.RepositoryIndexRequest()).models
        expect(len(index) == REPOSITORY_MODELS,
               f"Repository Index: {len(index)} rows, expected {REPOSITORY_MODELS}: "
               + ", ".join(f"{m.name}:{m.version}:{m.state}" for m in index))
        load("simple")
        expect(ready("simple"), "Load Model")
        expect_error(
            lambda: load("simple", {"config": '"parameters": {"config": {{"max_batch_size": "16"}}}'}),
            grpc.StatusCode.INTERNAL, "failed to load")
        load("simple", {"config": '{"max_batch_size":"16"}'})
        config = stub.ModelConfig(pb.ModelConfigRequest(name="simple")).config
        expect(config.max_batch_size == 16, f"Expect max_batch_size = 16, got: {config.max_batch_size}")
        stub.RepositoryModelUnload(pb.RepositoryModelUnloadRequest(model_name="simple"))
        expect(not ready("simple"), "Unload Model")
        message = expect_error(
            lambda: load("simple", {"config": "{}", "file:" + "A" * 256: b"a"}),
            grpc.StatusCode.INTERNAL, "failed to poll from model repository")
        expect(not re.search(r"(^|[\s'(])/", message), f"the error names a server path: {message}")
        expect(stub.ServerLive(pb.ServerLiveRequest()).live, "server not live after rejected load")
        expect_error(lambda: load("wrong_model_name"), grpc.StatusCode.INTERNAL, "failed to load")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="server serving models/ (default mode)")
    parser.add_argument("--explicit-url", required=True,
                        help="server serving models/ with --model-control-mode explicit")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as out:
        try:
            pb, pb_grpc, _ = triton_wire_check.generate_stubs(out)
        except Exception as e:  # noqa: BLE001 - report any generation failure and stop
            print(f"cannot generate stubs: {e}")
            return 2
        channels = [grpc.insecure_channel(args.url), grpc.insecure_channel(args.explicit_url)]
        default = Checks(pb, pb_grpc.GRPCInferenceServiceStub(channels[0]))
        explicit = Checks(pb, pb_grpc.GRPCInferenceServiceStub(channels[1]))
        checks = [("health_metadata", default.health_metadata), ("shm", default.shm),
                  ("shm_string", default.shm_string),
                  ("reuse_infer_objects", default.reuse_infer_objects),
                  ("model_control", explicit.model_control)]
        failed = 0
        for run in range(1, args.repeat + 1):
            for name, check in checks:
                try:
                    check()
                    print(f"PASS {name} (run {run})")
                except (CheckFailed, grpc.RpcError) as e:
                    failed += 1
                    detail = e.details() if isinstance(e, grpc.RpcError) else str(e)
                    print(f"FAIL {name} (run {run}): {detail}")
        for c in channels:
            c.close()
        total = len(checks) * args.repeat
        print(f"{total - failed}/{total} checks passed")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
