# Shared helpers for the benchmark scripts (sourced, not run).
# Every script starts its servers itself, on fixed loopback ports, and stops them on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT=${TG_BENCH_OUT:-$ROOT/bench-results/$(date -u +%Y%m%dT%H%M%SZ)-$(basename "$0" .sh)}
mkdir -p "$OUT"
LOADGEN="java -jar $ROOT/loadtest/target/tensorgate-loadtest.jar"
SERVER_JAR=$ROOT/server/target/tensorgate-server.jar
PIDS=()

build_if_needed() {
  if [ ! -f "$SERVER_JAR" ] || [ ! -f "$ROOT/loadtest/target/tensorgate-loadtest.jar" ]; then
    mvn -B -q -DskipTests package
  fi
}

# start_server PORT ARGS... : a Tensorgate on 127.0.0.1:PORT, waits until it answers.
start_server() {
  local port=$1; shift
  # --metrics-port 0 and --http-port 0: several servers run at once; they would all want 8002
  # and 8000 (unless the caller names an HTTP port).
  local http=(--http-port 0)
  case " $* " in *" --http-port "*) http=() ;; esac
  java ${TG_SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR" --grpc-port "$port" --metrics-port 0 "${http[@]}" "$@" >"$OUT/server-$port.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port"
}

start_echo() {
  local port=$1; shift
  $LOADGEN echo --port "$port" "$@" >"$OUT/echo-$port.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port"
}

wait_port() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  exit 1
}

stop_all() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap stop_all EXIT

machine_note() {
  echo "date: $(date -u +%FT%TZ)  cores: $(nproc)  load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/machine.txt"
  java -version 2>&1 | head -1 | tee -a "$OUT/machine.txt"
}
