#!/usr/bin/env bash
# Inline execution (issue 16): Triton's `simple` served twice by one server, `simple` as usual and
# `simple_inline` with `inline_execution` on, measured side by side, rounds alternating which goes
# first:
#   - one request at a time (lean harness `run --concurrency 1`): p50 latency and requests/s;
#   - h2load 16 connections x 8 streams on pre-framed requests: requests/s and p99.
# Needs a quiet machine for the throughput figures; the load average is recorded beside them.
#   scripts/bench/inline.sh [rounds] [seconds]
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
SECS=${2:-10}
SERVER_PORT=${TG_INLINE_PORT:-$((PORT_BASE + 55))}
command -v h2load >/dev/null || { echo "inline.sh needs h2load (nghttp2-client)" >&2; exit 1; }
build_if_needed
scripts/bench/setup-models.sh >/dev/null
machine_note
repo=$OUT/repo
mkdir -p "$repo"
cp -r bench-models/repo/simple "$repo/simple"
cp -r bench-models/repo/simple "$repo/simple_inline"
sed -i 's/^name: "simple"/name: "simple_inline"/' "$repo/simple_inline/config.pbtxt"
echo 'parameters { key: "inline_execution" value: { string_value: "true" } }' \
  >>"$repo/simple_inline/config.pbtxt"
for m in simple simple_inline; do
  python3 scripts/bench/grpc_frame.py "$OUT/$m.bin" "$m" INPUT0:INT32:1,16 INPUT1:INT32:1,16
done

start_server "$SERVER_PORT" --model-repository "$repo"
for m in simple simple_inline; do
  curl -s --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
    --data-binary @"$OUT/$m.bin" -D "$OUT/check-$m.txt" -o /dev/null "http://127.0.0.1:$SERVER_PORT$INFER_PATH"
  grep -qi '^grpc-status: 0' "$OUT/check-$m.txt" || { echo "$m refused the frame:"; cat "$OUT/check-$m.txt"; exit 1; } >&2
done

# Warm-up, not recorded: a fresh JVM compiles its hot paths in its first seconds, which would
# count against whichever model round 1 measures first.
for m in simple simple_inline; do
  h2load -D 5 -c 16 -m 8 -H 'content-type: application/grpc' -H 'te: trailers' -d "$OUT/$m.bin" \
    "http://127.0.0.1:$SERVER_PORT$INFER_PATH" >/dev/null
done

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS (load $(cut -d' ' -f1 /proc/loadavg))"
  if [ $((round % 2)) -eq 1 ]; then order="simple simple_inline"; else order="simple_inline simple"; fi
  for m in $order; do
    $LOADGEN run --url "127.0.0.1:$SERVER_PORT" -m "$m" --concurrency 1 -d "${SECS}s" --warmup 2s \
      --json "$OUT/$m-c1-r$round.json" >/dev/null
    h2load -D "$SECS" --warm-up-time 2 -c 16 -m 8 -H 'content-type: application/grpc' -H 'te: trailers' \
      --log-file "$OUT/$m-h2-r$round.log" -d "$OUT/$m.bin" "http://127.0.0.1:$SERVER_PORT$INFER_PATH" \
      >"$OUT/$m-h2-r$round.txt"
    echo "load: $(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/$m-h2-r$round.txt"
  done
done
/usr/bin/python3 scripts/bench/summarize.py inline "$OUT" | tee "$OUT/summary.md"
