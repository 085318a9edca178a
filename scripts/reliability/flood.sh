#!/usr/bin/env bash
# Overload attack of issue 11 item 10: h2load keeps 2048 ModelInfer requests in flight on `simple`
# (-c64 -m32) for SECONDS (default 20), while a probe client sends one request at a time. Reports
# h2load's latencies, the server's successes and refusals (from /metrics), the probe's p50/p99 and
# the server's RSS before and after. A measurement, not a pass/fail check: overload.sh checks.
#   scripts/reliability/flood.sh [seconds]        (SERVER_JAR=... measures another build)
source "$(dirname "$0")/lib.sh"
SECS=${1:-20}
PORT=${PORT:-18613}
METRICS_PORT=${METRICS_PORT:-18614}
build_if_needed
machine_note
mkdir -p "$OUT/repo" && cp -r "$ROOT/models/simple" "$OUT/repo/"
JAR=${SERVER_JAR:-$DIST/server/tensorgate-server.jar}
echo "server: $JAR" | tee -a "$OUT/machine.txt"
java ${TG_SERVER_JAVA_OPTS:-} -jar "$JAR" --model-repository "$OUT/repo" --grpc-port "$PORT" \
  --metrics-port "$METRICS_PORT" >"$OUT/server-$PORT.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  sleep 0.1
done
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$SERVER_PID/status"; }
/usr/bin/python3 "$ROOT/scripts/reliability/grpc_payload.py" simple "$OUT/payload.bin"
# One request first, so that the server has measured its model before the flood.
h2load -n 1 -c 1 -d "$OUT/payload.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
  "http://127.0.0.1:$PORT/inference.GRPCInferenceService/ModelInfer" >/dev/null
rss_before=$(rss)
/usr/bin/python3 "$ROOT/scripts/reliability/grpc_payload.py" --probe "127.0.0.1:$PORT" \
  --seconds "$SECS" >"$OUT/probe.json" &
probe=$!
h2load -c 64 -m 32 -D "$SECS" -d "$OUT/payload.bin" -H 'content-type: application/grpc' \
  -H 'te: trailers' "http://127.0.0.1:$PORT/inference.GRPCInferenceService/ModelInfer" \
  >"$OUT/h2load.txt" 2>&1 || true
wait "$probe" || true
rss_after=$(rss)
curl -s "127.0.0.1:$METRICS_PORT/metrics" >"$OUT/metrics.txt"
{
  echo "RSS before: $rss_before MiB, after: $rss_after MiB"
  grep -E '^(requests|finished in|time for request)' "$OUT/h2load.txt" -A0
  grep -E '^nv_inference_request_(success|failure)\{model="simple"' "$OUT/metrics.txt" | grep -v ' 0\.0$'
  echo "probe (one request at a time during the flood): $(cat "$OUT/probe.json")"
} | tee "$OUT/summary.txt"
kill -0 "$SERVER_PID" 2>/dev/null || echo "the server died" | tee -a "$OUT/summary.txt"
echo "results in $OUT"
