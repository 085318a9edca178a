#!/usr/bin/env bash
# Cost of Tensorgate's side paths, each against "off" in the same run:
#   metrics   server with /metrics and histograms  vs  --allow-metrics false   (model simple)
#   drift     model simple_drift (drift_sample_rate) vs simple, same server
#   payload   model simple_payload (payload_log_sample_rate) vs simple, same server
# Rounds alternate the configurations so drift in machine load hits all alike; the ratio is
# median(throughput with the feature) / median(throughput without it).
#
# Load: the lean harness (tensorgate-loadtest, ghz's command line), closed loop.
# Usage: scripts/bench/observability.sh   (env: ROUNDS=5 DURATION=10s WARMUP=3s CONCURRENCY=16
#        BATCH=1 DRIFT_RATE=0.1 PAYLOAD_RATE=0.01 OUT=target/bench-observability
#        TG_BENCH_PORT_BASE=18100: ports base+1..base+4)
# Needs server/target/tensorgate-server.jar and loadtest/target/tensorgate-loadtest.jar:
#   mvn -B -q package -DskipTests -pl server,loadtest -am
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CONCURRENCY=${CONCURRENCY:-16}
BATCH=${BATCH:-1}
DRIFT_RATE=${DRIFT_RATE:-0.1}
PAYLOAD_RATE=${PAYLOAD_RATE:-0.01}
OUT=${OUT:-target/bench-observability}
SERVER_JAR=server/target/tensorgate-server.jar
LOAD_JAR=loadtest/target/tensorgate-loadtest.jar
for j in "$SERVER_JAR" "$LOAD_JAR"; do
  [ -f "$j" ] || { echo "missing $j: mvn -B -q package -DskipTests -pl server,loadtest -am" >&2; exit 1; }
done

rm -rf "$OUT" && mkdir -p "$OUT/repo" "$OUT/payload" "$OUT/runs"
add_model() { # name, extra config text
  cp -r models/simple "$OUT/repo/$1"
  sed -i "s/^name: \"simple\"/name: \"$1\"/" "$OUT/repo/$1/config.pbtxt"
  printf '%s\n' "$2" >>"$OUT/repo/$1/config.pbtxt"
}
param() { printf 'parameters { key: "%s" value: { string_value: "%s" } }\n' "$1" "$2"; }
add_model simple ""
add_model simple_drift "$(param drift_sample_rate "$DRIFT_RATE")"
add_model simple_payload "$(param payload_log_sample_rate "$PAYLOAD_RATE")"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

start_server() { # name, grpc port, metrics port, extra flags...
  local name=$1 port=$2 mport=$3; shift 3
  java -jar "$SERVER_JAR" --model-repository "$OUT/repo" --grpc-port "$port" \
    --metrics-port "$mport" --http-port 0 "$@" >"$OUT/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do
    grep -q "Started GRPCInferenceService" "$OUT/$name.log" && return 0
    sleep 0.5
  done
  echo "server $name did not start; see $OUT/$name.log" >&2
  exit 1
}
PORT_BASE=${TG_BENCH_PORT_BASE:-18100}
ON=$((PORT_BASE + 1)) OFF=$((PORT_BASE + 3))
start_server on "$ON" $((ON + 1)) --payload-log-dir "$OUT/payload"
start_server off "$OFF" $((OFF + 1)) --allow-metrics false

# The lean harness, ghz's command line; calls in flight at the end are left out of the report.
LOADGEN_JAVA_OPTS=${TG_LOADGEN_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
run() { # label, port, model
  local json="$OUT/runs/$1-r$round.json"
  java $LOADGEN_JAVA_OPTS -jar "$LOAD_JAR" --insecure --duration-stop ignore --model "$3" \
    --batch-size "$BATCH" -c "$CONCURRENCY" --warmup "$WARMUP" -z "$DURATION" -O json -o "$json" \
    "127.0.0.1:$2" >"$OUT/runs/$1-r$round.txt"
  if [ "$round" -gt 0 ]; then # round 0 warms both JVMs up and is not counted
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rps"])' "$json" >>"$OUT/$1.rps"
  fi
}

for round in $(seq 0 "$ROUNDS"); do
  echo "round $round/$ROUNDS"
  run metrics_on "$ON" simple
  run metrics_off "$OFF" simple
  run drift_on "$ON" simple_drift
  run payload_on "$ON" simple_payload
done

python3 - "$OUT" <<'PY'
import statistics, sys, os
out = sys.argv[1]
rps = {n[:-4]: [float(l) for l in open(os.path.join(out, n))] for n in os.listdir(out) if n.endswith(".rps")}
med = {k: statistics.median(v) for k, v in rps.items()}
def row(name, on, off):
    r = med[on] / med[off]
    print(f"{name:<28} {med[on]:>10.0f} {med[off]:>10.0f} {r:>8.3f} {100 * (1 - r):>+8.1f}%")
print(f"{'feature (on vs off)':<28} {'on rps':>10} {'off rps':>10} {'ratio':>8} {'cost':>9}")
row("metrics + histograms", "metrics_on", "metrics_off")
row("drift sampling", "drift_on", "metrics_on")
row("payload logging", "payload_on", "metrics_on")
print("runs:", {k: [round(x) for x in v] for k, v in sorted(rps.items())})
PY
echo "payload lines written: $(cat "$OUT"/payload/payload.jsonl* 2>/dev/null | wc -l)"
python3 -c 'import json,sys; print("client:", json.load(open(sys.argv[1]))["tensorgate"]["client"]["description"])' \
  "$OUT/runs/metrics_on-r$ROUNDS.json"
