#!/usr/bin/python3
"""Attacks a running Tensorgate through system shared memory, as issue 11 describes.

An independent client (stubs generated from this repository's .proto files, as in
scripts/triton_wire_check.py), needs Debian's python3-grpcio and python3-grpc-tools.
The server must serve `simple` and see the same /dev/shm (same host).

  race     6 clients infer from and into a /dev/shm object (inputs and outputs in
           shared memory) while another thread truncates and re-extends the object
           in a loop, for --seconds. Then checks that the server is up, ServerReady
           and ModelReady('simple') are true and a plain inference succeeds.
           Passes when every request was answered OK or INVALID_ARGUMENT.
           --outputs-only sends the inputs raw, so only output writes race.
  regions  registers --regions regions on one object (no descriptor may be held per
           region), then opens --connections new connections, each calling
           ServerLive. Passes when every registration and connection succeeded.

Prints one JSON line with the counts and exits 1 when the check fails.

  /usr/bin/python3 scripts/reliability/shm_attack.py race --url 127.0.0.1:18201 --seconds 20
"""

import argparse
import collections
import json
import os
import pathlib
import sys
import tempfile
import threading
import time

import grpc

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from triton_wire_check import generate_stubs  # noqa: E402

SHM_DIR = pathlib.Path("/dev/shm")


def shm_params(pb, region, offset, size):
    return {
        "shared_memory_region": pb.InferParameter(string_param=region),
        "shared_memory_offset": pb.InferParameter(int64_param=offset),
        "shared_memory_byte_size": pb.InferParameter(int64_param=size),
    }


def shm_request(pb, outputs_only):
    r = pb.ModelInferRequest(model_name="simple")
    for name, offset in (("INPUT0", 0), ("INPUT1", 64)):
        t = r.inputs.add(name=name, datatype="INT32", shape=[1, 16])
        if outputs_only:
            r.raw_input_contents.append(bytes(64))
            continue
        for k, v in shm_params(pb, "tg_race_in", offset, 64).items():
            t.parameters[k].CopyFrom(v)
    for name, offset in (("OUTPUT0", 0), ("OUTPUT1", 64)):
        o = r.outputs.add(name=name)
        for k, v in shm_params(pb, "tg_race_out", offset, 64).items():
            o.parameters[k].CopyFrom(v)
    return r


def plain_request(pb):
    r = pb.ModelInferRequest(model_name="simple")
    for name in ("INPUT0", "INPUT1"):
        r.inputs.add(name=name, datatype="INT32", shape=[1, 16])
        r.raw_input_contents.append(bytes(64))
    return r


def register(pb, stub, name, key, offset, size):
    stub.SystemSharedMemoryRegister(
        pb.SystemSharedMemoryRegisterRequest(name=name, key=key, offset=offset, byte_size=size),
        timeout=10)


def race(pb, grpc_mod, channel, args):
    stub = grpc_mod.GRPCInferenceServiceStub(channel)
    key = f"tg_race_{os.getpid()}"
    path = SHM_DIR / key
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.ftruncate(fd, 256)
        register(pb, stub, "tg_race_in", "/" + key, 0, 128)
        register(pb, stub, "tg_race_out", "/" + key, 128, 128)
        stop = threading.Event()
        codes = collections.Counter()
        lock = threading.Lock()
        sent = [0]
        cycles = [0]

        def mutate():
            while not stop.is_set():
                os.ftruncate(fd, 0)
                os.ftruncate(fd, 256)
                cycles[0] += 1

        def client():
            req = shm_request(pb, args.outputs_only)
            while not stop.is_set():
                with lock:
                    sent[0] += 1
                try:
                    stub.ModelInfer(req, timeout=10)
                    code = "OK"
                except grpc.RpcError as e:
                    code = e.code().name
                with lock:
                    codes[code] += 1

        threads = [threading.Thread(target=mutate)] + [
            threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        result = {"mode": "race", "seconds": args.seconds, "clients": args.clients,
                  "outputs_only": args.outputs_only,
                  "truncate_cycles": cycles[0], "sent": sent[0], "answers": dict(codes)}
        try:
            result["server_ready"] = stub.ServerReady(pb.ServerReadyRequest(), timeout=10).ready
            result["simple_ready"] = stub.ModelReady(
                pb.ModelReadyRequest(name="simple"), timeout=10).ready
            stub.ModelInfer(plain_request(pb), timeout=10)
            result["plain_inference"] = "OK"
        except grpc.RpcError as e:
            result["after"] = f"{e.code().name}: {e.details()}"
        ok = (sum(codes.values()) == sent[0] and set(codes) <= {"OK", "INVALID_ARGUMENT"}
              and result.get("server_ready") and result.get("simple_ready")
              and result.get("plain_inference") == "OK")
        result["pass"] = bool(ok)
        try:
            for name in ("tg_race_in", "tg_race_out"):
                stub.SystemSharedMemoryUnregister(
                    pb.SystemSharedMemoryUnregisterRequest(name=name), timeout=10)
        except grpc.RpcError:
            pass
        return result
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)


def regions(pb, grpc_mod, channel, args):
    stub = grpc_mod.GRPCInferenceServiceStub(channel)
    key = f"tg_regions_{os.getpid()}"
    path = SHM_DIR / key
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    names = []
    try:
        os.ftruncate(fd, 4096)
        registered, failure = 0, None
        for i in range(args.regions):
            name = f"tg_region_{i}"
            try:
                register(pb, stub, name, "/" + key, i % 4096, 1)
                names.append(name)
                registered += 1
            except grpc.RpcError as e:
                failure = f"{e.code().name}: {e.details()}"
                break
        connected, refused = 0, collections.Counter()
        for _ in range(args.connections):
            # A new connection each time: no channel sharing.
            with grpc.insecure_channel(args.url, options=[("grpc.use_local_subchannel_pool", 1)]) as c:
                try:
                    grpc_mod.GRPCInferenceServiceStub(c).ServerLive(pb.ServerLiveRequest(), timeout=5)
                    connected += 1
                except grpc.RpcError as e:
                    refused[e.code().name] += 1
        result = {"mode": "regions", "asked": args.regions, "registered": registered,
                  "first_refusal": failure, "connections_ok": connected,
                  "connections_failed": dict(refused)}
        result["pass"] = registered == args.regions and connected == args.connections
        return result
    finally:
        for name in names:
            try:
                stub.SystemSharedMemoryUnregister(
                    pb.SystemSharedMemoryUnregisterRequest(name=name), timeout=10)
            except grpc.RpcError:
                break
        os.close(fd)
        path.unlink(missing_ok=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["race", "regions"])
    p.add_argument("--url", default="127.0.0.1:8001")
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--clients", type=int, default=6)
    p.add_argument("--outputs-only", action="store_true",
                   help="race: inputs travel as raw contents, only outputs go to shared memory")
    p.add_argument("--regions", type=int, default=1000)
    p.add_argument("--connections", type=int, default=100)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as out:
        pb, grpc_mod, _ = generate_stubs(pathlib.Path(out))
        with grpc.insecure_channel(args.url) as channel:
            result = (race if args.mode == "race" else regions)(pb, grpc_mod, channel, args)
    print(json.dumps(result))
    sys.exit(0 if result["pass"] else 1)


if __name__ == "__main__":
    main()
