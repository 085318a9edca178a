#!/usr/bin/env bash
# Scenario 1 (issue 3): serving overhead on Triton's tiny `simple` model (INT32 add/sub), against
# the bare grpc-java echo server (the transport ceiling), at concurrency 1, 8 and 64.
# Rounds alternate echo and Tensorgate so that machine noise hits both alike.
#   scripts/bench/overhead.sh [rounds] [seconds]
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
SECS=${2:-10}
build_if_needed
machine_note
start_echo 18101
start_server 18102 --model-repository models --model-control-mode explicit --load-model simple
for round in $(seq 1 "$ROUNDS"); do
  for c in 1 8 64; do
    $LOADGEN run --url 127.0.0.1:18101 -m simple --concurrency "$c" -d "${SECS}s" --warmup 3s \
      --json "$OUT/echo-c$c-r$round.json" >/dev/null
    $LOADGEN run --url 127.0.0.1:18102 -m simple --concurrency "$c" -d "${SECS}s" --warmup 3s \
      --server-stats --json "$OUT/tensorgate-c$c-r$round.json" >/dev/null
  done
done
/usr/bin/python3 "$ROOT/scripts/bench/summarize.py" overhead "$OUT" | tee "$OUT/summary.md"
