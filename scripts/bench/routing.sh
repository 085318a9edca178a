#!/usr/bin/env bash
# Cost of per-version routing, in ONE run on ONE server (model simple, ONNX Runtime, two
# identical versions), each feature against "off" with the same model:
#   canary0    routing.pbtxt with a canary at 0 % (the split runs, all to v1) vs no routing file
#   canary     routing.pbtxt sends 50 % of the default route to version 2   vs  no routing file
#   shadow     routing.pbtxt mirrors 100 % of requests to version 2          vs  no routing file
# Shadow is measured twice: with spare capacity (open loop at SPARE_FRACTION of the saturated
# throughput measured for "plain" in round 0) and at saturation (closed loop, CONCURRENCY).
# The figure for shadowing is the primary's goodput (OK answers per second) and latency.
# Rounds alternate the models so drift in machine load hits all alike; ratios are
# median(with feature) / median(without).
#
# Load: the lean harness (tensorgate-loadtest, ghz's command line); spare capacity is its open loop.
# Usage: scripts/bench/routing.sh   (env: ROUNDS=5 DURATION=10s WARMUP=3s CONCURRENCY=16
#        SPARE_FRACTION=0.4 OUT=target/bench-routing TG_BENCH_PORT_BASE=18100: ports base+1, +2)
# Needs server/target/tensorgate-server.jar and loadtest/target/tensorgate-loadtest.jar:
#   mvn -B -q package -DskipTests -pl server,loadtest -am
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CONCURRENCY=${CONCURRENCY:-16}
SPARE_FRACTION=${SPARE_FRACTION:-0.4}
OUT=${OUT:-target/bench-routing}
SERVER_JAR=server/target/tensorgate-server.jar
LOAD_JAR=loadtest/target/tensorgate-loadtest.jar
for j in "$SERVER_JAR" "$LOAD_JAR"; do
  [ -f "$j" ] || { echo "missing $j: mvn -B -q package -DskipTests -pl server,loadtest -am" >&2; exit 1; }
done

rm -rf "$OUT" && mkdir -p "$OUT/repo" "$OUT/runs"
add_model() { # name, routing.pbtxt text (empty: no routing)
  mkdir -p "$OUT/repo/$1"
  cp -r models/simple/1 "$OUT/repo/$1/1"
  cp -r models/simple/1 "$OUT/repo/$1/2"
  sed "s/^name: \"simple\"/name: \"$1\"/" models/simple/config.pbtxt >"$OUT/repo/$1/config.pbtxt"
  printf 'version_policy: { all {} }\n' >>"$OUT/repo/$1/config.pbtxt"
  [ -z "$2" ] || printf '%s\n' "$2" >"$OUT/repo/$1/routing.pbtxt"
}
add_model plain ""
add_model canary 'stable_version: 1
canary { version: 2 weight_percent: 50 }'
# The routing decision alone: a canary at 0 % sends everything to version 1, yet every request
# still goes through the split.
add_model canary0 'stable_version: 1
canary { version: 2 weight_percent: 0 }'
add_model shadow 'stable_version: 1
shadow { version: 2 fraction: 1 }'

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

PORT_BASE=${TG_BENCH_PORT_BASE:-18100}
PORT=$((PORT_BASE + 1))
METRICS_PORT=$((PORT_BASE + 2))
java -jar "$SERVER_JAR" --model-repository "$OUT/repo" --grpc-port "$PORT" \
  --metrics-port "$METRICS_PORT" --http-port 0 >"$OUT/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  grep -q "Started GRPCInferenceService" "$OUT/server.log" && break
  sleep 0.5
done
grep -q "Started GRPCInferenceService" "$OUT/server.log" || { echo "server did not start; see $OUT/server.log" >&2; exit 1; }

# The lean harness, ghz's command line; calls in flight at the end are left out of the report.
LOADGEN_JAVA_OPTS=${TG_LOADGEN_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
run() { # label, model, load flags...
  local label=$1 model=$2; shift 2
  local json="$OUT/runs/$label-r$round.json"
  java $LOADGEN_JAVA_OPTS -jar "$LOAD_JAR" --insecure --duration-stop ignore --model "$model" "$@" \
    --warmup "$WARMUP" -z "$DURATION" -O json -o "$json" "127.0.0.1:$PORT" \
    >"$OUT/runs/$label-r$round.txt"
  if [ "$round" -gt 0 ]; then # round 0 warms the JVM up and is not counted
    python3 - "$json" >>"$OUT/$label.tsv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ok = r.get("statusCodeDistribution", {}).get("OK", 0)
secs = r["total"] / 1e9
p = {d["percentage"]: d["latency"] / 1e6 for d in (r.get("latencyDistribution") or [])}
print(f'{r["rps"]}\t{ok / secs if secs else 0}\t{p.get(50, 0)}\t{p.get(99, 0)}')
PY
  fi
}

rate=""
set_rate() { # the spare-capacity rate from this round's saturated "plain" throughput
  rate=$(python3 -c 'import json,sys; print(max(1, int(json.load(open(sys.argv[1]))["rps"] * float(sys.argv[2]))))' \
    "$OUT/runs/plain_sat-r$round.json" "$SPARE_FRACTION")
  echo "spare-capacity rate: $rate req/s"
}
for round in $(seq 0 "$ROUNDS"); do
  echo "round $round/$ROUNDS"
  # Odd rounds run the saturated configurations in reverse, so order effects cancel out.
  if [ $((round % 2)) -eq 0 ]; then order="plain canary0 canary shadow"; else order="shadow canary canary0 plain"; fi
  for m in $order; do run "${m}_sat" "$m" -c "$CONCURRENCY"; done
  # Round 0 is cold: the rate is set again from round 1, the first counted round.
  if [ "$round" -le 1 ]; then set_rate; fi
  # Open loop: calls leave on schedule whatever is in flight.
  run plain_spare plain --rps "$rate" --async -c "$CONCURRENCY" --duration-stop wait
  run shadow_spare shadow --rps "$rate" --async -c "$CONCURRENCY" --duration-stop wait
done
curl -s "127.0.0.1:$METRICS_PORT/metrics" | grep -E '^tensorgate_(canary|shadow|divergence)' >"$OUT/routing-metrics.txt" || true

python3 - "$OUT" "$rate" <<'PY'
import statistics, sys, os
out, rate = sys.argv[1], sys.argv[2]
rows = {}
for n in os.listdir(out):
    if n.endswith(".tsv"):
        cols = list(zip(*[[float(x) for x in l.split()] for l in open(os.path.join(out, n))]))
        rows[n[:-4]] = [statistics.median(c) for c in cols]  # rps, goodput, p50 ms, p99 ms
def row(name, on, off, col=1):
    a, b = rows[on], rows[off]
    r = a[col] / b[col]
    print(f"{name:<36} {a[col]:>10.0f} {b[col]:>10.0f} {r:>7.3f} {100 * (1 - r):>+7.1f}%"
          f"   p50 {a[2]:.2f}/{b[2]:.2f} ms  p99 {a[3]:.2f}/{b[3]:.2f} ms")
print(f"{'(on vs off, medians)':<36} {'on':>10} {'off':>10} {'ratio':>7} {'cost':>8}   latency on/off")
row("canary at 0 % (routing only)", "canary0_sat", "plain_sat", 0)
row("50 % canary, throughput", "canary_sat", "plain_sat", 0)
row("100 % shadow, saturated goodput", "shadow_sat", "plain_sat")
row(f"100 % shadow, spare ({rate} req/s) goodput", "shadow_spare", "plain_spare")
PY
echo "routing metrics at the end:"; cat "$OUT/routing-metrics.txt"
python3 -c 'import json,sys; print("client:", json.load(open(sys.argv[1]))["tensorgate"]["client"]["description"])' \
  "$OUT/runs/plain_sat-r$ROUNDS.json"
