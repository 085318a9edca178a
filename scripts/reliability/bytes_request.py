#!/usr/bin/python3
"""Sends big BYTES requests to simple_identity and reports time and the server's peak RSS.

One request of N elements of E bytes each (16,000,000 empty strings: 64 MB on the wire as
raw_input_contents), as raw_input_contents or as typed contents.bytes_contents, optionally several
at once. The server's peak RSS is its VmHWM, reset before sending (writes /proc/PID/clear_refs, so
run it as the server's user). Stubs are generated at run time from proto/src/main/proto, as in
scripts/triton_wire_check.py. Needs Debian's python3-grpcio and python3-grpc-tools.

    bytes_request.py --url 127.0.0.1:18601 --pid PID [--elements N] [--element-bytes E]
                     [--typed] [--concurrent C]

Prints one line per request (seconds, status code, message or response size) and a summary line
starting with "result:".
"""

import argparse
import importlib
import pathlib
import struct
import sys
import tempfile
import threading
import time

import grpc

PROTO_DIR = pathlib.Path(__file__).resolve().parents[2] / "proto" / "src" / "main" / "proto"


def stubs(out_dir):
    from grpc_tools import protoc

    include = pathlib.Path(protoc.__file__).parent / "_proto"
    status = protoc.main(["grpc_tools.protoc", f"-I{PROTO_DIR}", f"-I{include}",
                          f"--python_out={out_dir}", str(PROTO_DIR / "grpc_service.proto"),
                          str(PROTO_DIR / "model_config.proto")])
    if status != 0:
        raise RuntimeError(f"protoc exited with {status}")
    sys.path.insert(0, str(out_dir))
    return importlib.import_module("grpc_service_pb2")


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} for process {pid}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--pid", type=int, required=True, help="the server's process id")
    parser.add_argument("--elements", type=int, default=16_000_000)
    parser.add_argument("--element-bytes", type=int, default=0)
    parser.add_argument("--typed", action="store_true", help="send contents.bytes_contents")
    parser.add_argument("--concurrent", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tensorgate-stubs-") as stub_dir:
        pb = stubs(stub_dir)
        element = b"x" * args.element_bytes
        request = pb.ModelInferRequest(model_name="simple_identity")
        tensor = request.inputs.add(name="INPUT0", datatype="BYTES", shape=[1, args.elements])
        if args.typed:
            tensor.contents.bytes_contents.extend([element] * args.elements)
        else:
            request.raw_input_contents.append(
                (struct.pack("<I", len(element)) + element) * args.elements)
        wire = request.SerializeToString()
        del request, tensor

    channel = grpc.insecure_channel(args.url, options=[("grpc.max_send_message_length", -1),
                                                       ("grpc.max_receive_message_length", -1)])
    infer = channel.unary_unary("/inference.GRPCInferenceService/ModelInfer",
                                request_serializer=lambda b: b,
                                response_deserializer=lambda b: b)
    grpc.channel_ready_future(channel).result(timeout=30)
    with open(f"/proc/{args.pid}/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM, the peak RSS
    before = status_kib(args.pid, "VmRSS")
    results = []

    def one():
        start = time.monotonic()
        try:
            response = infer(wire, timeout=args.timeout)
            results.append((time.monotonic() - start, "OK", f"{len(response)} bytes back"))
        except grpc.RpcError as error:
            results.append((time.monotonic() - start, error.code().name, error.details()[:160]))

    threads = [threading.Thread(target=one) for _ in range(args.concurrent)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    peak, after = status_kib(args.pid, "VmHWM"), status_kib(args.pid, "VmRSS")
    for seconds, code, detail in sorted(results):
        print(f"  {seconds:6.1f} s  {code}  {detail}")
    kind = "bytes_contents" if args.typed else "raw_input_contents"
    print(f"result: {len(wire) / 1e6:.1f} MB request ({args.elements} elements of "
          f"{args.element_bytes} B, {kind}) x{args.concurrent}: wall {wall:.1f} s, server RSS "
          f"{before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB, after {after / 1024:.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
