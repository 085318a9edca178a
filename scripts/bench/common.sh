# Shared helpers for the benchmark scripts (sourced, not run).
# Every script starts its servers itself, on loopback ports from TG_BENCH_PORT_BASE (default 18100)
# upwards, and stops them on exit. The load comes from the lean harness (tensorgate-loadtest, ghz's
# command line); scripts that compare a server against a baseline also run h2load (Debian's
# nghttp2-client) on the same request bytes, as an independent client. Every table names the
# client that produced it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT=${TG_BENCH_OUT:-$ROOT/bench-results/$(date -u +%Y%m%dT%H%M%SZ)-$(basename "$0" .sh)}
mkdir -p "$OUT"
PORT_BASE=${TG_BENCH_PORT_BASE:-18100}
# C1 only and the serial collector: for the same 400,000 calls the harness JVM spent 15 % less CPU
# (JIT compilation and GC threads) than with the defaults, CPU the server needs on a small machine.
LOADGEN_JAVA_OPTS=${TG_LOADGEN_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
LOADGEN="java $LOADGEN_JAVA_OPTS -jar $ROOT/loadtest/target/tensorgate-loadtest.jar"
# Warm-up before every measured run, for the harness (--warmup) and h2load (--warm-up-time) alike:
# a fresh JVM compiles its hot paths in its first seconds.
WARMUP=${TG_BENCH_WARMUP:-5}
SERVER_JAR=$ROOT/server/target/tensorgate-server.jar
INFER_PATH=/inference.GRPCInferenceService/ModelInfer
PIDS=()

build_if_needed() {
  if [ ! -f "$SERVER_JAR" ] || [ ! -f "$ROOT/loadtest/target/tensorgate-loadtest.jar" ]; then
    mvn -B -q -DskipTests package
  fi
}

# start_server PORT ARGS... : a Tensorgate on 127.0.0.1:PORT, waits until it answers.
# Its /metrics port is METRICS_PORT when set (h2load runs are checked there), else a free one.
start_server() {
  local port=$1; shift
  # --http-port 0: several servers run at once; they would all want 8000 (unless the caller
  # names an HTTP port).
  local http=(--http-port 0)
  case " $* " in *" --http-port "*) http=() ;; esac
  java ${TG_SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR" --grpc-port "$port" \
    --metrics-port "${METRICS_PORT:-0}" "${http[@]}" "$@" >"$OUT/server-$port.log" 2>&1 &
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
  if command -v h2load >/dev/null; then h2load --version 2>&1 | head -1 | tee -a "$OUT/machine.txt"; fi
}

# loadgen PORT JSON ARGS... : the lean harness (ghz's command line, plaintext) against
# 127.0.0.1:PORT, ghz-shaped JSON to JSON. Calls still in flight at the end are left out
# (--duration-stop ignore), so the report's rps is the server's answered rate.
loadgen() {
  local port=$1 json=$2; shift 2
  $LOADGEN --insecure --duration-stop ignore "$@" -O json -o "$json" "127.0.0.1:$port"
}

# dump_request PORT FILE ARGS... : the harness's gRPC-framed request for ARGS, for h2load -d.
dump_request() {
  local port=$1 file=$2; shift 2
  $LOADGEN --insecure "$@" --dump-request "$file" "127.0.0.1:$port" >/dev/null
}

need_h2load() {
  command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client" >&2; exit 2; }
}

# h2load_run PORT FRAME CLIENTS STREAMS SECONDS OUTFILE : h2load posting the pre-framed request
# FRAME to ModelInfer over CLIENTS connections with STREAMS streams each, after $WARMUP s of warm-up.
# Writes h2load's output and a JSON line {"rps":..,"client":"h2load ..."} to OUTFILE(.json).
h2load_run() {
  local port=$1 frame=$2 clients=$3 streams=$4 secs=$5 out=$6
  h2load -c "$clients" -m "$streams" -D "$secs" --warm-up-time="$WARMUP" -d "$frame" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$port$INFER_PATH" >"$out.txt" 2>&1
  /usr/bin/python3 - "$out.txt" "$clients" "$streams" >"$out.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
m = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s", text)
done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed", text)
if not m or not done:
    sys.exit("h2load printed no result; see " + sys.argv[1])
print(json.dumps({"rps": float(m.group(2)), "seconds": float(m.group(1)),
                  "done": int(done.group(1)), "failed": int(done.group(3)),
                  "client": f"h2load -c {sys.argv[2]} -m {sys.argv[3]} (nghttp2-client, 1 thread)"}))
PY
}

# server_counter METRICS_PORT FAMILY MODEL : a model's Triton counter (version 1) from /metrics.
server_counter() {
  curl -s "127.0.0.1:$1/metrics" | /usr/bin/python3 -c '
import re, sys
family, model = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    if line.startswith(family + "{") and f"model=\"{model}\"" in line:
        print(int(float(line.rsplit(" ", 1)[1]))); break
else:
    print(0)' "$2" "$3"
}
