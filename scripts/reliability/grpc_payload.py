#!/usr/bin/python3
"""Helpers for scripts/reliability/flood.sh (stubs generated from this repository's protos).

  grpc_payload.py simple FILE             writes one gRPC-framed ModelInfer request for `simple`
                                          (raw INT32 inputs) to FILE, for h2load -d
  grpc_payload.py --probe URL --seconds S sends one request at a time for S seconds and prints
                                          {"sent", "ok", "codes", "p50_ms", "p99_ms", "max_ms"}
"""

import argparse
import json
import pathlib
import struct
import sys
import tempfile
import time

import grpc

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from triton_wire_check import generate_stubs  # noqa: E402


def simple_request(pb):
    r = pb.ModelInferRequest(model_name="simple")
    for name in ("INPUT0", "INPUT1"):
        r.inputs.add(name=name, datatype="INT32", shape=[1, 16])
        r.raw_input_contents.append(bytes(64))
    return r


def probe(pb, grpc_mod, url, seconds):
    latencies, codes = [], {}
    with grpc.insecure_channel(url) as channel:
        stub = grpc_mod.GRPCInferenceServiceStub(channel)
        req = simple_request(pb)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.monotonic()
            try:
                stub.ModelInfer(req, timeout=30)
                code = "OK"
            except grpc.RpcError as e:
                code = e.code().name
            latencies.append((time.monotonic() - start) * 1000)
            codes[code] = codes.get(code, 0) + 1
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1)
    return {"sent": len(latencies), "codes": codes, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
            "max_ms": round(latencies[-1], 1)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model", nargs="?")
    p.add_argument("file", nargs="?")
    p.add_argument("--probe")
    p.add_argument("--seconds", type=float, default=20)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as out:
        pb, grpc_mod, _ = generate_stubs(pathlib.Path(out))
        if args.probe:
            print(json.dumps(probe(pb, grpc_mod, args.probe, args.seconds)))
            return
        body = simple_request(pb).SerializeToString()
        pathlib.Path(args.file).write_bytes(struct.pack(">BI", 0, len(body)) + body)


if __name__ == "__main__":
    main()
