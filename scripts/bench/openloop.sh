#!/usr/bin/env bash
# Scenario 3 (issue 3): open-loop latency (constant arrival rate, latency from the intended send
# time) at 50% and 90% of the peak rate measured in the same run (closed loop, 32 calls in flight
# over 4 connections), for the batching CNN and for `simple`. All figures come from the lean
# harness: --rps with --async is its open loop; h2load has no open-loop mode to compare with.
#   scripts/bench/openloop.sh [seconds]
source "$(dirname "$0")/common.sh"
SECS=${1:-15}
PORT=$((PORT_BASE + 4))
build_if_needed
scripts/bench/setup-models.sh >/dev/null
machine_note
start_server "$PORT" --model-repository bench-models/repo --model-control-mode explicit \
  --load-model cls --load-model simple
for m in cls simple; do
  loadgen "$PORT" "$OUT/$m-peak.json" --model "$m" -c 32 --connections 4 -z "${SECS}s" \
    --warmup "${WARMUP}s"
  peak=$(/usr/bin/python3 -c "import json;print(json.load(open('$OUT/$m-peak.json'))['tensorgate']['okRps'])")
  for pct in 50 90; do
    rate=$(/usr/bin/python3 -c "print(max(1, int($peak*$pct/100)))")
    # Every call sent is reported (--duration-stop wait): leaving out the ones still in flight
    # at the end would drop the slowest.
    loadgen "$PORT" "$OUT/$m-open$pct.json" --model "$m" --rps "$rate" --async \
      --max-outstanding 2000 -c 32 --connections 4 -z "${SECS}s" --warmup 3s --duration-stop wait
  done
done
/usr/bin/python3 "$ROOT/scripts/bench/summarize.py" openloop "$OUT" | tee "$OUT/summary.md"
