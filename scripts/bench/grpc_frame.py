#!/usr/bin/env python3
"""Writes one gRPC-framed ModelInferRequest (raw inputs of zeros) for h2load's -d.

  grpc_frame.py OUT MODEL NAME:DATATYPE:DIM,DIM... [NAME:DATATYPE:DIMS ...]

Encoded by hand (fields of grpc_service.proto), so it needs no generated stubs.
"""
import struct
import sys

SIZES = {"BOOL": 1, "UINT8": 1, "INT8": 1, "INT16": 2, "UINT16": 2, "FP16": 2, "BF16": 2,
         "INT32": 4, "UINT32": 4, "FP32": 4, "INT64": 8, "UINT64": 8, "FP64": 8}


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def main():
    out, model, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
    msg = field(1, model.encode())
    raws = []
    for spec in specs:
        name, dtype, dims = spec.split(":")
        shape = [int(d) for d in dims.split(",")]
        packed = b"".join(varint(d) for d in shape)
        msg += field(5, field(1, name.encode()) + field(2, dtype.encode()) + field(3, packed))
        count = 1
        for d in shape:
            count *= d
        raws.append(bytes(count * SIZES[dtype]))
    for raw in raws:
        msg += field(7, raw)
    with open(out, "wb") as f:
        f.write(b"\x00" + struct.pack(">I", len(msg)) + msg)


if __name__ == "__main__":
    main()
