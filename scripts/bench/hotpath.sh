#!/usr/bin/env bash
# Issue 16 (hot path), each figure a ratio measured side by side in one run, rounds alternating:
#   1. `simple` with h2load, 16 connections x 8 streams, pre-framed requests: Tensorgate / bare echo.
#   2. `simple` one request at a time: server p50 - echo p50 - the model's mean compute
#      (ModelStatistics, through `run --server-stats`).
#   3. `cls` with dynamic batching at 32 concurrent requests (h2load, 32 connections x 1 stream)
#      against the in-process ONNX Runtime ceiling, best of batch 4/8/16, same round.
#   4. Bytes allocated per `simple` request under load: JFR's per-thread allocation statistics
#      summed over the server's threads, divided by the requests served.
# Around each `cls` run it also records where the two cores went (the machine's /proc/stat, the
# server's threads by name, h2load's own CPU time) and the batches the server formed
# (ModelStatistics batch_stats over HTTP), so that a miss of the ceiling ratio can be explained.
# Needs a quiet machine for the throughput figures; the load average is recorded beside them.
#   scripts/bench/hotpath.sh [rounds] [seconds]
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
SECS=${2:-10}
ECHO_PORT=${TG_HOTPATH_ECHO_PORT:-$((PORT_BASE + 50))}
SERVER_PORT=${TG_HOTPATH_PORT:-$((PORT_BASE + 51))}
HTTP_PORT=${TG_HOTPATH_HTTP_PORT:-$((PORT_BASE + 52))}
PATH_INFER=/inference.GRPCInferenceService/ModelInfer
command -v h2load >/dev/null || { echo "hotpath.sh needs h2load (nghttp2-client)" >&2; exit 1; }
build_if_needed
scripts/bench/setup-models.sh >/dev/null
machine_note
python3 scripts/bench/grpc_frame.py "$OUT/simple.bin" simple INPUT0:INT32:1,16 INPUT1:INT32:1,16
python3 scripts/bench/grpc_frame.py "$OUT/cls.bin" cls x:FP32:1,3,48,192

start_server "$SERVER_PORT" --model-repository bench-models/repo --model-control-mode explicit \
  --load-model simple --load-model cls --http-port "$HTTP_PORT"
SERVER_PID=${PIDS[-1]}
start_echo "$ECHO_PORT"

# One request through each, to fail loudly on a bad frame (h2load counts HTTP 200 whatever the
# grpc-status trailer says).
for port in "$ECHO_PORT" "$SERVER_PORT"; do
  curl -s --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
    --data-binary @"$OUT/simple.bin" -D "$OUT/check-$port.txt" -o /dev/null "http://127.0.0.1:$port$PATH_INFER"
  grep -qi '^grpc-status: 0' "$OUT/check-$port.txt" || { echo "port $port refused the frame:"; cat "$OUT/check-$port.txt"; exit 1; } >&2
done

h2() { # h2() PORT FRAME CONNECTIONS STREAMS NAME
  h2load -D "$SECS" --warm-up-time 2 -c "$3" -m "$4" -H 'content-type: application/grpc' -H 'te: trailers' \
    --log-file "$OUT/$5.log" -d "$2" "http://127.0.0.1:$1$PATH_INFER" >"$OUT/$5.txt"
  echo "load: $(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/$5.txt"
}

cpu_snapshot() { # cpu_snapshot FILE: the machine's CPU line, then each server thread's ticks
  { head -1 /proc/stat
    for t in /proc/"$SERVER_PID"/task/*; do
      echo "thread $(tr -c 'A-Za-z0-9\n' _ <"$t/comm") $(cut -d')' -f2 "$t/stat" | awk '{print $12 + $13}')"
    done
    curl -s "http://127.0.0.1:$HTTP_PORT/v2/models/cls/stats" | jq -c '.model_stats[0].batch_stats'
  } >"$1"
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS (load $(cut -d' ' -f1 /proc/loadavg))"
  if [ $((round % 2)) -eq 1 ]; then order="echo tg"; else order="tg echo"; fi
  for who in $order; do
    port=$([ "$who" = echo ] && echo "$ECHO_PORT" || echo "$SERVER_PORT")
    h2 "$port" "$OUT/simple.bin" 16 8 "$who-simple-h2-r$round"
    $LOADGEN run --url "127.0.0.1:$port" -m simple --concurrency 1 -d "${SECS}s" --warmup 2s \
      $([ "$who" = tg ] && echo --server-stats) --json "$OUT/$who-simple-c1-r$round.json" >/dev/null
  done
  $LOADGEN inprocess -f bench-models/repo/cls/1/model.onnx --shape x:3,48,192 --threads 2 \
    --batch-sizes 4,8,16 -d "${SECS}s" --warmup 2s --json "$OUT/inprocess-r$round.json" >/dev/null
  cpu_snapshot "$OUT/cls-cpu0-r$round.txt"
  # h2load's own CPU time (user, system seconds), warm-up included like the snapshots.
  TIMEFORMAT='%U %S'
  { time h2 "$SERVER_PORT" "$OUT/cls.bin" 32 1 "tg-cls-h2-r$round"; } 2>"$OUT/cls-h2load-cpu-r$round.txt"
  cpu_snapshot "$OUT/cls-cpu1-r$round.txt"
done

# Allocation: a JFR recording around one more `simple` run (no warm-up: the server is warm);
# bytes allocated by the server's threads during it, over the requests it served.
jcmd "$SERVER_PID" JFR.start name=alloc settings=profile filename="$OUT/alloc.jfr" >/dev/null
h2load -D "$SECS" -c 16 -m 8 -H 'content-type: application/grpc' -H 'te: trailers' \
  -d "$OUT/simple.bin" "http://127.0.0.1:$SERVER_PORT$PATH_INFER" >"$OUT/tg-simple-alloc.txt"
jcmd "$SERVER_PID" JFR.stop name=alloc >/dev/null
jfr print --json --events jdk.ThreadAllocationStatistics "$OUT/alloc.jfr" >"$OUT/alloc.json"
/usr/bin/python3 scripts/bench/summarize.py hotpath "$OUT" | tee "$OUT/summary.md"
