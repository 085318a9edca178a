#!/usr/bin/env bash
# Scenario 1 (issue 3): serving overhead on Triton's tiny `simple` model (INT32 add/sub), against
# the bare grpc-java echo server (the transport ceiling), at concurrency 1, 8 and 64. Each level is
# measured twice, by the lean harness (with the server's own statistics) and by h2load on the same
# request bytes; rounds alternate echo and Tensorgate so that machine noise hits both alike.
#   scripts/bench/overhead.sh [rounds] [seconds]
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
SECS=${2:-10}
ECHO_PORT=$((PORT_BASE + 1))
TG_PORT=$((PORT_BASE + 2))
need_h2load
build_if_needed
machine_note
start_echo "$ECHO_PORT"
start_server "$TG_PORT" --model-repository models --model-control-mode explicit --load-model simple
dump_request "$TG_PORT" "$OUT/simple.grpc" --model simple
# concurrency, connections (h2load: connections x streams = concurrency)
LEVELS=("1 1" "8 1" "64 4")
for round in $(seq 1 "$ROUNDS"); do
  for level in "${LEVELS[@]}"; do
    read -r c conns <<<"$level"
    for target in "echo $ECHO_PORT" "tensorgate $TG_PORT"; do
      read -r name port <<<"$target"
      stats=""
      [ "$name" = tensorgate ] && stats="--server-stats"
      loadgen "$port" "$OUT/$name-c$c-r$round.json" --model simple -c "$c" --connections "$conns" \
        -z "${SECS}s" --warmup "${WARMUP}s" $stats
      h2load_run "$port" "$OUT/simple.grpc" "$conns" $((c / conns)) "$SECS" "$OUT/$name-c$c-r$round-h2load"
    done
  done
done
/usr/bin/python3 "$ROOT/scripts/bench/summarize.py" overhead "$OUT" | tee "$OUT/summary.md"
