# Shared helpers for the reliability scripts (sourced, not run).
# The server runs from its jar plus server/target/test-classes, which adds the test-only
# `tensorgate_fault` backend (FaultBackend: a model of fixed speed, optionally leaking).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT=${TG_RELIABILITY_OUT:-$ROOT/reliability-results/$(date -u +%Y%m%dT%H%M%SZ)-$(basename "$0" .sh)}
mkdir -p "$OUT"
# The jars run from a copy in $OUT/dist, so a rebuild during a long run cannot pull them away.
DIST="$OUT/dist"
LOADGEN="java -Xmx512m -jar $DIST/loadtest/tensorgate-loadtest.jar"
SERVER_CP="$DIST/server/tensorgate-server.jar:$DIST/server/test-classes"
SERVER_PID=

build_if_needed() {
  if [ ! -f "$ROOT/server/target/tensorgate-server.jar" ] \
    || [ ! -f "$ROOT/server/target/test-classes/io/tensorgate/server/testing/FaultBackend.class" ] \
    || [ ! -f "$ROOT/loadtest/target/tensorgate-loadtest.jar" ]; then
    # -DskipTests still compiles the test classes the server needs here.
    mvn -B -q -pl server,loadtest -am -DskipTests package
  fi
  mkdir -p "$DIST/server" "$DIST/loadtest"
  cp -r "$ROOT/server/target/tensorgate-server.jar" "$ROOT/server/target/lib" \
    "$ROOT/server/target/test-classes" "$DIST/server/"
  cp -r "$ROOT/loadtest/target/tensorgate-loadtest.jar" "$ROOT/loadtest/target/lib" "$DIST/loadtest/"
}

# slow_model DIR NAME DELAY_MS [QUEUE] [EXTRA_PBTXT]: a fault-backend model whose every batch
# (up to 4 requests) takes DELAY_MS; at most QUEUE (16) requests wait in its queue, beyond which
# requests are refused with UNAVAILABLE.
slow_model() {
  local dir=$1 name=$2 delay=$3 queue=${4:-16} extra=${5:-}
  mkdir -p "$dir/$name/1"
  : >"$dir/$name/1/model.fault"
  cat >"$dir/$name/config.pbtxt" <<PBTXT
platform: "tensorgate_fault"
max_batch_size: 4
input [{ name: "INPUT0" data_type: TYPE_INT32 dims: [16] }]
output [{ name: "OUTPUT0" data_type: TYPE_INT32 dims: [16] }]
instance_group [{ count: 1 kind: KIND_CPU }]
dynamic_batching { default_queue_policy { max_queue_size: $queue } }
parameters { key: "delay_ms" value: { string_value: "$delay" } }
$extra
PBTXT
}

# start_server PORT ARGS...: a Tensorgate on 127.0.0.1:PORT; sets SERVER_PID; waits until it answers.
start_server() {
  local port=$1; shift
  java ${TG_SERVER_JAVA_OPTS:--Xmx512m} -cp "$SERVER_CP" io.tensorgate.server.Main \
    --grpc-port "$port" --metrics-port 0 --http-port 0 "$@" >"$OUT/server-$port.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/server-$port.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "nothing listens on port $port" >&2
  exit 1
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
trap stop_server EXIT

# json FILE EXPR: a value from a load-generator report, EXPR in Python over `r` (the report).
json() {
  /usr/bin/python3 -c "import json,sys;r=json.load(open(sys.argv[1]));print($2)" "$1"
}

machine_note() {
  echo "date: $(date -u +%FT%TZ)  cores: $(nproc)  load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/machine.txt"
  java -version 2>&1 | head -1 | tee -a "$OUT/machine.txt"
}
