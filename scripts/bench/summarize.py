#!/usr/bin/env python3
"""Turns the JSON reports of a benchmark run into the Markdown tables of BENCHMARKS.md."""
import glob
import json
import os
import statistics
import sys


def load(path):
    with open(path) as f:
        d = json.load(f)
    return d[0] if isinstance(d, list) else d


def ms(ns):
    return ns / 1e6


def overhead(out):
    print("| concurrency | echo rps | Tensorgate rps | ratio | echo p50 / p99 ms | Tensorgate p50 / p99 ms | server: request - compute (mean us) | server: queue (mean us) |")
    print("|---|---|---|---|---|---|---|---|")
    for c in (1, 8, 64):
        echo = [load(p) for p in sorted(glob.glob(f"{out}/echo-c{c}-r*.json"))]
        tg = [load(p) for p in sorted(glob.glob(f"{out}/tensorgate-c{c}-r*.json"))]
        if not echo or not tg:
            continue
        e_rps = statistics.median(r["tensorgate"]["okRps"] for r in echo)
        t_rps = statistics.median(r["tensorgate"]["okRps"] for r in tg)
        ratios = [t["tensorgate"]["okRps"] / e["tensorgate"]["okRps"] for e, t in zip(echo, tg)]
        e_lat = [r["tensorgate"]["latencyNanos"] for r in echo]
        t_lat = [r["tensorgate"]["latencyNanos"] for r in tg]
        stats = [r["tensorgate"]["serverStats"] for r in tg]
        over = statistics.median(
            s["successUs"] - s["computeInputUs"] - s["computeInferUs"] - s["computeOutputUs"] for s in stats)
        queue = statistics.median(s["queueUs"] for s in stats)
        print(f"| {c} | {e_rps:,.0f} | {t_rps:,.0f} | {statistics.median(ratios):.2f} "
              f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}) "
              f"| {ms(statistics.median(l['p50'] for l in e_lat)):.3f} / {ms(statistics.median(l['p99'] for l in e_lat)):.3f} "
              f"| {ms(statistics.median(l['p50'] for l in t_lat)):.3f} / {ms(statistics.median(l['p99'] for l in t_lat)):.3f} "
              f"| {over:.1f} | {queue:.1f} |")


def batching(out):
    inproc = load(f"{out}/inprocess.json")
    rows = inproc if isinstance(inproc, list) else inproc.get("results", [inproc])
    print("In-process ONNX Runtime (2 threads, one session each), the compute ceiling:\n")
    print("| batch | inferences/s | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    best = 0
    for r in rows:
        best = max(best, r["inferencesPerSecond"])
        lat = r["latencyNanos"]
        print(f"| {r['batchSize']} | {r['inferencesPerSecond']:,.0f} | {ms(lat['p50']):.2f} | {ms(lat['p99']):.2f} |")
    print(f"\nBest in-process: {best:,.0f} inferences/s.\n")
    print("| concurrency | batching rps | p50 / p99 ms | vs in-process best | no batching rps | p50 / p99 ms | batching / no batching |")
    print("|---|---|---|---|---|---|---|")
    for c in (1, 4, 16, 32, 64):
        p1, p2 = f"{out}/cls-c{c}.json", f"{out}/cls_nobatch-c{c}.json"
        if not (os.path.exists(p1) and os.path.exists(p2)):
            continue
        b, n = load(p1)["tensorgate"], load(p2)["tensorgate"]
        print(f"| {c} | {b['okRps']:,.0f} | {ms(b['latencyNanos']['p50']):.1f} / {ms(b['latencyNanos']['p99']):.1f} "
              f"| {b['okRps'] / best:.2f} | {n['okRps']:,.0f} | {ms(n['latencyNanos']['p50']):.1f} / {ms(n['latencyNanos']['p99']):.1f} "
              f"| {b['okRps'] / n['okRps']:.2f} |")


def openloop(out):
    print("| model | peak rps (closed loop, c=32) | load | rate | ok rps | errors | p50 ms | p99 ms | p99.9 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for m in ("cls", "simple"):
        peak_p = f"{out}/{m}-peak.json"
        if not os.path.exists(peak_p):
            continue
        peak = load(peak_p)["tensorgate"]["okRps"]
        for pct in (50, 90):
            r = load(f"{out}/{m}-open{pct}.json")
            t = r["tensorgate"]
            lat = t["latencyNanos"]
            print(f"| {m} | {peak:,.0f} | {pct}% | {t['level']:,.0f}/s | {t['okRps']:,.0f} | {t['errors'] + t.get('clientSaturated', 0)} "
                  f"| {ms(lat['p50']):.2f} | {ms(lat['p99']):.2f} | {ms(lat['p99.9']):.2f} |")


if __name__ == "__main__":
    {"overhead": overhead, "batching": batching, "openloop": openloop}[sys.argv[1]](sys.argv[2])
