#!/usr/bin/env bash
# Scenario 3 (issue 3): open-loop latency (constant arrival rate, latency from the intended send
# time) at 50% and 90% of the peak rate measured in the same run (closed loop, concurrency 32),
# for the batching CNN and for `simple`.
#   scripts/bench/openloop.sh [seconds]
source "$(dirname "$0")/common.sh"
SECS=${1:-15}
build_if_needed
scripts/bench/setup-models.sh >/dev/null
machine_note
start_server 18104 --model-repository bench-models/repo --model-control-mode explicit \
  --load-model cls --load-model simple
for m in cls simple; do
  $LOADGEN run --url 127.0.0.1:18104 -m "$m" --concurrency 32 -d "${SECS}s" --warmup 3s \
    --json "$OUT/$m-peak.json" >/dev/null
  peak=$(/usr/bin/python3 -c "import json;print(json.load(open('$OUT/$m-peak.json'))['tensorgate']['okRps'])")
  for pct in 50 90; do
    rate=$(/usr/bin/python3 -c "print(int($peak*$pct/100))")
    $LOADGEN run --url 127.0.0.1:18104 -m "$m" --rate "$rate" -d "${SECS}s" --warmup 3s \
      --max-outstanding 2000 --json "$OUT/$m-open$pct.json" >/dev/null
  done
done
/usr/bin/python3 "$ROOT/scripts/bench/summarize.py" openloop "$OUT" | tee "$OUT/summary.md"
