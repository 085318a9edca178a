#!/usr/bin/python3
"""Summarizes scripts/bench/http.sh: h2load's throughput and mean latency per target, concurrency
and round, the per-round ratios (medians), and a check that Tensorgate failed no request."""
import json
import re
import statistics
import sys
from pathlib import Path

out = Path(sys.argv[1])
TARGETS = ["grpc-echo", "grpc", "http-echo-json", "http-json", "http-echo-binary", "http-binary"]
UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse(path):
    text = path.read_text(errors="replace")
    rps = re.search(r"finished in [^,]+, ([0-9.]+) req/s", text)
    req = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed", text)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text)
    lat = re.search(r"time for request:\s+\S+\s+\S+\s+([0-9.]+)(us|ms|s)\s", text)
    if not (rps and req and codes):
        return None
    bad = int(req.group(4)) + int(codes.group(3)) + int(codes.group(4))
    return {"rps": float(rps.group(1)), "bad": bad,
            "mean_ms": float(lat.group(1)) * UNIT[lat.group(2)] if lat else float("nan")}


runs = {}
for f in out.glob("*-c*-r*.txt"):
    m = re.match(r"(.+)-c(\d+)-r(\d+)\.txt", f.name)
    runs[(m.group(1), int(m.group(2)), int(m.group(3)))] = parse(f)
levels = sorted({c for (_, c, _) in runs})
rounds = sorted({r for (_, _, r) in runs})


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def cell(t, c, key):
    return med([runs[(t, c, r)][key] for r in rounds if runs.get((t, c, r))])


def ratio(a, b, c):
    rs = []
    for r in rounds:
        x, y = runs.get((a, c, r)), runs.get((b, c, r))
        if x and y and y["rps"] > 0:
            rs.append(x["rps"] / y["rps"])
    return med(rs), rs


print(f"{(out / 'machine.txt').read_text().strip()}\n")
print("| concurrency | " + " | ".join(f"{t} rps (mean ms)" for t in TARGETS) + " |")
print("|---" * (len(TARGETS) + 1) + "|")
for c in levels:
    print(f"| {c} | " + " | ".join(f"{cell(t, c, 'rps'):,.0f} ({cell(t, c, 'mean_ms'):.3f})" for t in TARGETS) + " |")
print()
PAIRS = [("http-json", "grpc"), ("http-binary", "grpc"), ("http-json", "http-echo-json"),
         ("http-binary", "http-echo-binary"), ("grpc", "grpc-echo"), ("http-echo-json", "grpc-echo")]
print("| concurrency | " + " | ".join(f"{a} / {b}" for a, b in PAIRS) + " |")
print("|---" * (len(PAIRS) + 1) + "|")
for c in levels:
    cells = []
    for a, b in PAIRS:
        m, rs = ratio(a, b, c)
        cells.append(f"{m:.2f} ({', '.join(f'{x:.2f}' for x in rs)})")
    print(f"| {c} | " + " | ".join(cells) + " |")
print()
for c in levels:
    over_json = cell("http-json", c, "mean_ms") - cell("grpc", c, "mean_ms")
    over_bin = cell("http-binary", c, "mean_ms") - cell("grpc", c, "mean_ms")
    print(f"HTTP overhead over gRPC at c={c} (mean latency): JSON {over_json * 1000:+.0f} us,"
          f" binary {over_bin * 1000:+.0f} us")
bad = sum(v["bad"] for v in runs.values() if v)
missing = [k for k, v in runs.items() if v is None]
print(f"\nfailed or non-2xx requests (h2load): {bad}; unreadable outputs: {len(missing)}")
try:
    def fails(name):
        s = json.loads((out / name).read_text())["model_stats"][0]["inference_stats"]
        return s["fail"]["count"], s["success"]["count"]
    (f0, s0), (f1, s1) = fails("stats-before.json"), fails("stats-after.json")
    print(f"Tensorgate statistics: {s1 - s0} successful requests, {f1 - f0} failed")
except (OSError, KeyError, ValueError) as e:
    print(f"Tensorgate statistics unavailable: {e}")
