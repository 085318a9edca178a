#!/usr/bin/env python3
"""Turns the JSON reports of a benchmark run into the Markdown tables of BENCHMARKS.md."""
import glob
import json
import os
import re
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


def h2rps(path):
    """Requests per second and succeeded requests of an h2load report."""
    text = open(path).read()
    rps = float(re.search(r"finished in [^,]+, ([0-9.]+) req/s", text).group(1))
    done = int(re.search(r"requests: .* ([0-9]+) succeeded", text).group(1))
    return rps, done


def h2p99ms(path):
    """p99 latency in ms from an h2load --log-file (start, status, duration in microseconds)."""
    durations = sorted(int(line.split("\t")[2]) for line in open(path) if line.strip())
    return durations[int(0.99 * (len(durations) - 1))] / 1e3 if durations else float("nan")


def hotpath(out):
    rounds = sorted(int(m.group(1)) for p in glob.glob(f"{out}/tg-simple-h2-r*.txt")
                    for m in [re.search(r"-r([0-9]+)[.]txt$", p)])
    print("| round | load | simple h2load echo rps | Tensorgate rps | ratio (>= 0.6) | c=1 overhead us (<= 30) | cls h2load rps | cls p99 ms (< 50) | in-process best | ratio (>= 0.9) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rounds:
        e, _ = h2rps(f"{out}/echo-simple-h2-r{r}.txt")
        t, _ = h2rps(f"{out}/tg-simple-h2-r{r}.txt")
        load_avg = re.search(r"load: ([0-9.]+)", open(f"{out}/tg-simple-h2-r{r}.txt").read()).group(1)
        ec = load(f"{out}/echo-simple-c1-r{r}.json")["tensorgate"]["latencyNanos"]["p50"]
        tj = load(f"{out}/tg-simple-c1-r{r}.json")["tensorgate"]
        s = tj["serverStats"]
        compute = s["computeInputUs"] + s["computeInferUs"] + s["computeOutputUs"]
        over = (tj["latencyNanos"]["p50"] - ec) / 1e3 - compute
        c, _ = h2rps(f"{out}/tg-cls-h2-r{r}.txt")
        p99 = h2p99ms(f"{out}/tg-cls-h2-r{r}.log")
        inproc = max(x["inferencesPerSecond"] for x in load(f"{out}/inprocess-r{r}.json")["results"])
        print(f"| {r} | {load_avg} | {e:,.0f} | {t:,.0f} | {t/e:.2f} | {over:.1f} | {c:,.0f} | {p99:.1f} | {inproc:,.0f} | {c/inproc:.2f} |")
    cls_cpu(out, rounds)
    alloc = f"{out}/alloc.json"
    if os.path.exists(alloc):
        events = json.load(open(alloc))["recording"]["events"]
        per_thread = {}
        for ev in events:
            v = ev["values"]
            tid = v["thread"]["javaThreadId"] if v.get("thread") else None
            lo, hi = per_thread.get(tid, (v["allocated"], v["allocated"]))
            per_thread[tid] = (min(lo, v["allocated"]), max(hi, v["allocated"]))
        total = sum(hi - lo for lo, hi in per_thread.values())
        _, done = h2rps(f"{out}/tg-simple-alloc.txt")
        print(f"\nAllocated by the server's threads during the allocation run: {total:,} bytes for "
              f"{done:,} `simple` requests: {total / max(done, 1):,.0f} bytes per request.")


def cpu_snapshot(path):
    """hotpath.sh's cpu_snapshot: machine CPU ticks, server ticks by thread group, batch_stats."""
    lines = open(path).read().splitlines()
    machine = [int(x) for x in lines[0].split()[1:]]
    groups = {}
    batches = []
    for line in lines[1:]:
        if line.startswith("thread "):
            _, name, ticks = line.split(" ")
            group = "instances" if "instance" in name else "other"
            groups[group] = groups.get(group, 0) + int(ticks)
        elif line.startswith("["):
            batches = json.loads(line)
    return machine, groups, {b["batch_size"]: b["compute_infer"] for b in batches}


def cls_cpu(out, rounds):
    """Where the two cores went during each `cls` run, and the batches the server formed."""
    if not glob.glob(f"{out}/cls-cpu0-r*.txt"):
        return
    hz = os.sysconf("SC_CLK_TCK")
    print("\n`cls` runs: cores used (of the machine's), batches formed, ONNX Runtime CPU per inference")
    print("| round | machine busy | server: instance threads | server: other threads | h2load | rest (kernel, other processes) | batches (mean size; top sizes) | served: instance CPU ms / inference | in-process: core-ms / inference (2 threads, wall clock) | ceiling at the instances' cores |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rounds:
        m0, g0, b0 = cpu_snapshot(f"{out}/cls-cpu0-r{r}.txt")
        m1, g1, b1 = cpu_snapshot(f"{out}/cls-cpu1-r{r}.txt")
        d = [b - a for a, b in zip(m0, m1)]
        # user nice system idle iowait irq softirq steal: seconds of wall time the window lasted
        wall = sum(d[:8]) / hz / os.cpu_count()
        busy = (sum(d[:8]) - d[3] - d[4]) / hz / wall
        inst = (g1.get("instances", 0) - g0.get("instances", 0)) / hz / wall
        other = (g1.get("other", 0) - g0.get("other", 0)) / hz / wall
        h2 = sum(float(x) for x in open(f"{out}/cls-h2load-cpu-r{r}.txt").read().split()[-2:]) / wall
        sizes = {k: b1[k]["count"] - b0.get(k, {"count": 0})["count"] for k in b1}
        executions = sum(sizes.values())
        inferences = sum(k * n for k, n in sizes.items())
        top = ", ".join(f"{k}: {n}" for k, n in sorted(sizes.items(), key=lambda x: -x[1])[:4] if n)
        c, _ = h2rps(f"{out}/tg-cls-h2-r{r}.txt")
        inproc = max(x["inferencesPerSecond"] for x in load(f"{out}/inprocess-r{r}.json")["results"])
        threads = load(f"{out}/inprocess-r{r}.json")["results"][0].get("threads", 2)
        # Instance CPU over the inferences executed in the same window (warm-up included in both).
        inst_ms = (g1.get("instances", 0) - g0.get("instances", 0)) / hz * 1e3 / max(inferences, 1)
        print(f"| {r} | {busy:.2f} | {inst:.2f} | {other:.2f} | {h2:.2f} | {busy - inst - other - h2:.2f} "
              f"| {inferences / max(executions, 1):.1f}; {top} | {inst_ms:.2f} "
              f"| {threads * 1e3 / inproc:.2f} | {inproc * inst / threads:,.0f} |")


def inline(out):
    """scripts/bench/inline.sh: `simple` with inline execution on against off, per round."""
    rounds = sorted(int(m.group(1)) for p in glob.glob(f"{out}/simple-h2-r*.txt")
                    for m in [re.search(r"-r([0-9]+)[.]txt$", p)])
    print("| round | load | c=1 p50 us off / on | c=1 rps off / on | ratio | h2load 16x8 rps off / on | ratio | p99 ms off / on |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rounds:
        c1 = {m: load(f"{out}/{m}-c1-r{r}.json")["tensorgate"] for m in ("simple", "simple_inline")}
        h2 = {m: h2rps(f"{out}/{m}-h2-r{r}.txt")[0] for m in ("simple", "simple_inline")}
        p99 = {m: h2p99ms(f"{out}/{m}-h2-r{r}.log") for m in ("simple", "simple_inline")}
        load_avg = re.search(r"load: ([0-9.]+)", open(f"{out}/simple-h2-r{r}.txt").read()).group(1)
        p50 = {m: c1[m]["latencyNanos"]["p50"] / 1e3 for m in c1}
        rps = {m: c1[m]["okRps"] for m in c1}
        print(f"| {r} | {load_avg} | {p50['simple']:.1f} / {p50['simple_inline']:.1f} "
              f"| {rps['simple']:,.0f} / {rps['simple_inline']:,.0f} | {rps['simple_inline'] / rps['simple']:.2f} "
              f"| {h2['simple']:,.0f} / {h2['simple_inline']:,.0f} | {h2['simple_inline'] / h2['simple']:.2f} "
              f"| {p99['simple']:.1f} / {p99['simple_inline']:.1f} |")


if __name__ == "__main__":
    {"overhead": overhead, "batching": batching, "openloop": openloop,
     "tensorrt": tensorrt, "hotpath": hotpath, "inline": inline}[sys.argv[1]](sys.argv[2])
