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


def h2load(path):
    """h2load's figures (see h2load_run in common.sh), or None when the run has none."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def clients(out):
    """Which clients produced the figures: every report names its own."""
    names = set()
    for p in glob.glob(f"{out}/*.json"):
        try:
            d = load(p)
        except (ValueError, KeyError, IndexError):
            continue
        if isinstance(d, dict):
            c = d.get("tensorgate", {}).get("client", {}).get("description") or d.get("client")
            if c:
                names.add(c)
    print("\nClients: " + "; ".join(sorted(names)) + ".")


def overhead(out):
    print("| concurrency | echo rps | Tensorgate rps | ratio | echo p50 / p99 ms | Tensorgate p50 / p99 ms | server: request - compute (mean us) | server: queue (mean us) | h2load: echo / Tensorgate rps, ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for c in (1, 8, 64):
        echo = [load(p) for p in sorted(glob.glob(f"{out}/echo-c{c}-r*[0-9].json"))]
        tg = [load(p) for p in sorted(glob.glob(f"{out}/tensorgate-c{c}-r*[0-9].json"))]
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
        he = [h2load(p) for p in sorted(glob.glob(f"{out}/echo-c{c}-r*-h2load.json"))]
        ht = [h2load(p) for p in sorted(glob.glob(f"{out}/tensorgate-c{c}-r*-h2load.json"))]
        h2 = ""
        if he and ht:
            h_ratios = [t["rps"] / e["rps"] for e, t in zip(he, ht)]
            h2 = (f"{statistics.median(x['rps'] for x in he):,.0f} / {statistics.median(x['rps'] for x in ht):,.0f}, "
                  f"{statistics.median(h_ratios):.2f}")
        print(f"| {c} | {e_rps:,.0f} | {t_rps:,.0f} | {statistics.median(ratios):.2f} "
              f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}) "
              f"| {ms(statistics.median(l['p50'] for l in e_lat)):.3f} / {ms(statistics.median(l['p99'] for l in e_lat)):.3f} "
              f"| {ms(statistics.median(l['p50'] for l in t_lat)):.3f} / {ms(statistics.median(l['p99'] for l in t_lat)):.3f} "
              f"| {over:.1f} | {queue:.1f} | {h2} |")
    clients(out)


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
    print("| concurrency | batching rps | p50 / p99 ms | vs in-process best | no batching rps | p50 / p99 ms | batching / no batching | h2load: batching / no batching rps |")
    print("|---|---|---|---|---|---|---|---|")
    for c in (1, 4, 16, 32, 64):
        p1, p2 = f"{out}/cls-c{c}.json", f"{out}/cls_nobatch-c{c}.json"
        if not (os.path.exists(p1) and os.path.exists(p2)):
            continue
        b, n = load(p1)["tensorgate"], load(p2)["tensorgate"]
        hb, hn = h2load(f"{out}/cls-c{c}-h2load.json"), h2load(f"{out}/cls_nobatch-c{c}-h2load.json")
        h2 = f"{hb['rps']:,.0f} / {hn['rps']:,.0f}" if hb and hn else ""
        print(f"| {c} | {b['okRps']:,.0f} | {ms(b['latencyNanos']['p50']):.1f} / {ms(b['latencyNanos']['p99']):.1f} "
              f"| {b['okRps'] / best:.2f} | {n['okRps']:,.0f} | {ms(n['latencyNanos']['p50']):.1f} / {ms(n['latencyNanos']['p99']):.1f} "
              f"| {b['okRps'] / n['okRps']:.2f} | {h2} |")
    clients(out)


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
            print(f"| {m} | {peak:,.0f} | {pct}% | {t['level']:,.0f}/s | {t['okRps']:,.0f} | {t['errors']} "
                  f"| {ms(lat['p50']):.2f} | {ms(lat['p99']):.2f} | {ms(lat['p99.9']):.2f} |")
    clients(out)


def tensorrt(out):
    print("| concurrency | model | rps | p50 / p99 ms | server compute input / infer / output (mean us) | TensorRT / ONNX rps |")
    print("|---|---|---|---|---|---|")
    for c in (1, 8, 64):
        rps = {}
        for m in ("cls_onnx", "cls_trt"):
            runs = [load(p)["tensorgate"] for p in sorted(glob.glob(f"{out}/{m}-c{c}-r*.json"))]
            if not runs:
                continue
            rps[m] = [r["okRps"] for r in runs]
            s = [r["serverStats"] for r in runs]
            lat = [r["latencyNanos"] for r in runs]
            ratio = ""
            if m == "cls_trt" and "cls_onnx" in rps:
                ratios = [t / o for o, t in zip(rps["cls_onnx"], rps["cls_trt"])]
                ratio = f"{statistics.median(ratios):.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
            print(f"| {c} | {m} | {statistics.median(rps[m]):,.0f} "
                  f"| {ms(statistics.median(l['p50'] for l in lat)):.3f} / {ms(statistics.median(l['p99'] for l in lat)):.3f} "
                  f"| {statistics.median(x['computeInputUs'] for x in s):.1f} / {statistics.median(x['computeInferUs'] for x in s):.1f}"
                  f" / {statistics.median(x['computeOutputUs'] for x in s):.1f} | {ratio} |")
    clients(out)


if __name__ == "__main__":
    {"overhead": overhead, "batching": batching, "openloop": openloop,
     "tensorrt": tensorrt}[sys.argv[1]](sys.argv[2])
