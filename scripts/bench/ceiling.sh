#!/usr/bin/env bash
# Scenario 2 again, interleaved: the compute ceiling (ONNX Runtime in-process, 2 threads, one
# session each, at the best batch size) and the served throughput (dynamic batching and no
# batching, 32 calls in flight over 4 connections) measured back to back in every round, so that
# the shared machine's speed, which drifts by 2x within minutes, hits all three alike. The served
# figures come from the lean harness and, right after, from h2load on the same request bytes.
# batching.sh measures the full concurrency sweep but takes the ceiling once, at the start.
#   scripts/bench/ceiling.sh [rounds] [seconds]
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
SECS=${2:-8}
BATCH=${TG_CEILING_BATCH:-4}
PORT=$((PORT_BASE + 5))
need_h2load
build_if_needed
scripts/bench/setup-models.sh >/dev/null
machine_note
start_server "$PORT" --model-repository bench-models/repo --model-control-mode explicit \
  --load-model cls --load-model cls_nobatch
for m in cls cls_nobatch; do
  dump_request "$PORT" "$OUT/$m.grpc" --model "$m"
done
for round in $(seq 1 "$ROUNDS"); do
  $LOADGEN inprocess -f bench-models/repo/cls/1/model.onnx --shape x:3,48,192 --threads 2 \
    --batch-sizes "$BATCH" -d "${SECS}s" --warmup 2s --json "$OUT/inprocess-r$round.json" >/dev/null
  for m in cls cls_nobatch; do
    loadgen "$PORT" "$OUT/$m-r$round.json" --model "$m" -c 32 --connections 4 -z "${SECS}s" \
      --warmup "${WARMUP}s"
    h2load_run "$PORT" "$OUT/$m.grpc" 4 8 "$SECS" "$OUT/$m-r$round-h2load"
  done
done
/usr/bin/python3 - "$OUT" "$ROUNDS" <<'PY' | tee "$OUT/summary.md"
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def inproc(r):
    d = json.load(open(f"{out}/inprocess-r{r}.json"))
    return max(x["inferencesPerSecond"] for x in d["results"])
def served(m, r):
    t = json.load(open(f"{out}/{m}-r{r}.json"))["tensorgate"]
    return t["okRps"], t["latencyNanos"]["p99"] / 1e6, t["client"]["description"]
def h2(m, r):
    return json.load(open(f"{out}/{m}-r{r}-h2load.json"))["rps"]
print("| round | in-process inf/s | batching rps (p99 ms) | no batching rps (p99 ms) | batching / in-process | batching / no batching | h2load: batching / no batching rps | h2load batching / in-process |")
print("|---|---|---|---|---|---|---|---|")
ratios, gains, h2ratios = [], [], []
for r in range(1, rounds + 1):
    c = inproc(r); b, bp, client = served("cls", r); n, np_, _ = served("cls_nobatch", r)
    hb, hn = h2("cls", r), h2("cls_nobatch", r)
    ratios.append(b / c); gains.append(b / n); h2ratios.append(hb / c)
    print(f"| {r} | {c:,.0f} | {b:,.0f} ({bp:.1f}) | {n:,.0f} ({np_:.1f}) | {b/c:.2f} | {b/n:.2f} | {hb:,.0f} / {hn:,.0f} | {hb/c:.2f} |")
print(f"\nmedian batching / in-process: {statistics.median(ratios):.2f} (harness), {statistics.median(h2ratios):.2f} (h2load); median batching / no batching: {statistics.median(gains):.2f}")
print(f"\nclients: {client}; h2load -c 4 -m 8 (nghttp2-client)")
PY
