#!/usr/bin/python3
"""Writes the request bodies of scripts/bench/http.sh for Triton's `simple` (INT32 [1,16] twice):

  simple.json          the KServe v2 JSON request (data as JSON arrays, outputs as JSON)
  simple.bin           Triton's binary tensor data: JSON header + 2 x 64 bytes, outputs binary
  simple.bin.hdr       the JSON header's length (Inference-Header-Content-Length)
  simple.grpc          a gRPC-framed ModelInferRequest with raw_input_contents (what h2load posts
                       to /inference.GRPCInferenceService/ModelInfer)

The protobuf is encoded by hand (a few fields, no generated code needed).
"""
import json
import struct
import sys
from pathlib import Path

out = Path(sys.argv[1])
x = list(range(16))
y = [1] * 16

(out / "simple.json").write_text(json.dumps({"inputs": [
    {"name": "INPUT0", "shape": [1, 16], "datatype": "INT32", "data": x},
    {"name": "INPUT1", "shape": [1, 16], "datatype": "INT32", "data": y}]}, separators=(",", ":")))

header = json.dumps({
    "inputs": [
        {"name": "INPUT0", "shape": [1, 16], "datatype": "INT32", "parameters": {"binary_data_size": 64}},
        {"name": "INPUT1", "shape": [1, 16], "datatype": "INT32", "parameters": {"binary_data_size": 64}}],
    "parameters": {"binary_data_output": True}}, separators=(",", ":")).encode()
raw0 = struct.pack("<16i", *x)
raw1 = struct.pack("<16i", *y)
(out / "simple.bin").write_bytes(header + raw0 + raw1)
(out / "simple.bin.hdr").write_text(str(len(header)))


def varint(n):
    b = bytearray()
    while True:
        c = n & 0x7F
        n >>= 7
        b.append(c | (0x80 if n else 0))
        if not n:
            return bytes(b)


def field(number, payload):  # length-delimited
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def tensor(name):
    shape = varint(1) + varint(16)  # packed int64 [1, 16]
    return field(1, name.encode()) + field(2, b"INT32") + field(3, shape)


msg = (field(1, b"simple") + field(5, tensor("INPUT0")) + field(5, tensor("INPUT1"))
       + field(7, raw0) + field(7, raw1))
(out / "simple.grpc").write_bytes(b"\x00" + struct.pack(">I", len(msg)) + msg)
