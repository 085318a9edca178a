#!/usr/bin/env bash
# Issue 18: the HTTP/REST endpoint's cost. Triton's `simple` (INT32 [1,16] add/sub) over
#   grpc         gRPC (ModelInfer, raw contents), the baseline HTTP is compared with
#   http-json    HTTP/1.1, KServe v2 JSON in and out
#   http-binary  HTTP/1.1, Triton's binary tensor data in and out
# and the transports without any serving work: the bare grpc-java echo (`loadtest echo`) and a bare
# Netty HTTP/1.1 echo (HttpEcho.java, answering the bytes Tensorgate answers). One client for all:
# h2load (nghttp2-client), HTTP/2 for gRPC (one stream per client), --h1 for HTTP (one request at a
# time per connection), closed loop at concurrency 1, 8 and 64; rounds alternate the targets so
# machine noise hits all alike. Ratios are computed per round; the summary gives their medians.
#   scripts/bench/http.sh [rounds] [seconds]
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
SECS=${2:-10}
WARM=${TG_BENCH_WARMUP:-3}
command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client" >&2; exit 1; }
build_if_needed
machine_note
/usr/bin/python3 "$ROOT/scripts/bench/http_bodies.py" "$OUT"
HDR=$(cat "$OUT/simple.bin.hdr")

start_echo 18131
start_server 18132 --model-repository models --model-control-mode explicit --load-model simple \
  --http-port 18133
wait_port 18133
# The HTTP echo answers what Tensorgate answers, for JSON and for binary.
curl -sf -o "$OUT/answer.json" -X POST --data-binary @"$OUT/simple.json" \
  http://127.0.0.1:18133/v2/models/simple/infer
curl -sf -D "$OUT/answer.bin.headers" -o "$OUT/answer.bin" -X POST --data-binary @"$OUT/simple.bin" \
  -H "Inference-Header-Content-Length: $HDR" http://127.0.0.1:18133/v2/models/simple/infer
ANSWER_HDR=$(grep -i '^inference-header-content-length' "$OUT/answer.bin.headers" | tr -dc '0-9')
java -cp "$ROOT/server/target/lib/*" "$ROOT/scripts/bench/HttpEcho.java" 18134 "$OUT/answer.json" \
  application/json >"$OUT/echo-http-json.log" 2>&1 &
PIDS+=($!)
java -cp "$ROOT/server/target/lib/*" "$ROOT/scripts/bench/HttpEcho.java" 18135 "$OUT/answer.bin" \
  application/octet-stream "$ANSWER_HDR" >"$OUT/echo-http-binary.log" 2>&1 &
PIDS+=($!)
wait_port 18134
wait_port 18135

stats() { curl -sf http://127.0.0.1:18133/v2/models/simple/stats; }
stats >"$OUT/stats-before.json"

# run NAME CONCURRENCY ROUND ARGS... : one h2load level, its output kept for the summary.
run() {
  local name=$1 c=$2 round=$3; shift 3
  h2load -c "$c" -m 1 -t 1 -D "$SECS" --warm-up-time "$WARM" "$@" >"$OUT/$name-c$c-r$round.txt" 2>&1
}
GRPC=(-H 'content-type: application/grpc' -H 'te: trailers' -d "$OUT/simple.grpc")
JSON=(--h1 -H 'content-type: application/json' -d "$OUT/simple.json")
BINARY=(--h1 -H "Inference-Header-Content-Length: $HDR" -d "$OUT/simple.bin")
for round in $(seq 1 "$ROUNDS"); do
  for c in 1 8 64; do
    run grpc-echo "$c" "$round" "${GRPC[@]}" http://127.0.0.1:18131/inference.GRPCInferenceService/ModelInfer
    run grpc "$c" "$round" "${GRPC[@]}" http://127.0.0.1:18132/inference.GRPCInferenceService/ModelInfer
    run http-echo-json "$c" "$round" "${JSON[@]}" http://127.0.0.1:18134/v2/models/simple/infer
    run http-json "$c" "$round" "${JSON[@]}" http://127.0.0.1:18133/v2/models/simple/infer
    run http-echo-binary "$c" "$round" "${BINARY[@]}" http://127.0.0.1:18135/v2/models/simple/infer
    run http-binary "$c" "$round" "${BINARY[@]}" http://127.0.0.1:18133/v2/models/simple/infer
  done
done
stats >"$OUT/stats-after.json"
/usr/bin/python3 "$ROOT/scripts/bench/http_summary.py" "$OUT" | tee "$OUT/summary.md"
