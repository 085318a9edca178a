#!/usr/bin/env bash
# Scenario 2 again, interleaved: the compute ceiling (ONNX Runtime in-process, 2 threads, one
# session each, at the best batch size) and the served throughput (dynamic batching and no
# batching, 32 concurrent requests) measured back to back in every round, so that the shared
# machine's speed, which drifts by 2x within minutes, hits all three alike. batching.sh measures
# the full concurrency sweep but takes the ceiling once, at the start.
#   scripts/bench/ceiling.sh [rounds] [seconds]
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
SECS=${2:-8}
BATCH=${TG_CEILING_BATCH:-4}
build_if_needed
scripts/bench/setup-models.sh >/dev/null
machine_note
start_server 18105 --model-repository bench-models/repo --model-control-mode explicit \
  --load-model cls --load-model cls_nobatch
for round in $(seq 1 "$ROUNDS"); do
  $LOADGEN inprocess -f bench-models/repo/cls/1/model.onnx --shape x:3,48,192 --threads 2 \
    --batch-sizes "$BATCH" -d "${SECS}s" --warmup 2s --json "$OUT/inprocess-r$round.json" >/dev/null
  for m in cls cls_nobatch; do
    $LOADGEN run --url 127.0.0.1:18105 -m "$m" --concurrency 32 -d "${SECS}s" --warmup 2s \
      --json "$OUT/$m-r$round.json" >/dev/null
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
    return t["okRps"], t["latencyNanos"]["p99"] / 1e6
print("| round | in-process inf/s | batching rps (p99 ms) | no batching rps (p99 ms) | batching / in-process | batching / no batching |")
print("|---|---|---|---|---|---|")
ratios, gains = [], []
for r in range(1, rounds + 1):
    c = inproc(r); b, bp = served("cls", r); n, np_ = served("cls_nobatch", r)
    ratios.append(b / c); gains.append(b / n)
    print(f"| {r} | {c:,.0f} | {b:,.0f} ({bp:.1f}) | {n:,.0f} ({np_:.1f}) | {b/c:.2f} | {b/n:.2f} |")
print(f"\nmedian batching / in-process: {statistics.median(ratios):.2f}; median batching / no batching: {statistics.median(gains):.2f}")
PY
