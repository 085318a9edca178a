#!/usr/bin/env bash
# BYTES memory amplification (issue 11, item 4): one 64 MB request of 16,000,000 empty strings to
# simple_identity, as raw_input_contents and as typed bytes_contents (empty and 1-byte elements),
# one at a time and three at once, with the default heap and with -Xmx1g, each on a fresh server.
# Reports wall time (client side, including sending 32-64 MB over loopback) and the server's peak
# RSS (VmHWM) per case, and checks that no case ends in OutOfMemoryError or a dead server.
#   scripts/reliability/bytes_memory.sh [extra server flags...]
#   SERVER_JAR_DIR=/other/checkout/server/target scripts/reliability/bytes_memory.sh  (another build)
source "$(dirname "$0")/lib.sh"
PORT=${PORT:-18611}
JAR_DIR=${SERVER_JAR_DIR:-$ROOT/server/target}
if [ ! -f "$JAR_DIR/tensorgate-server.jar" ]; then
  mvn -B -q -pl server -am -DskipTests package
fi
mkdir -p "$DIST/server/test-classes"
cp -r "$JAR_DIR/tensorgate-server.jar" "$JAR_DIR/lib" "$DIST/server/"
machine_note
REPO="$OUT/repo"
mkdir -p "$REPO"
cp -r "$ROOT/models/simple_identity" "$REPO/"

failed=0
run_case() { # run_case NAME JAVA_OPTS -- bytes_request.py args
  local name=$1 opts=$2
  shift 3
  TG_SERVER_JAVA_OPTS="$opts" start_server "$PORT" --model-repository "$REPO" "${EXTRA[@]}"
  echo "== $name ($opts) $*" | tee -a "$OUT/summary.txt"
  /usr/bin/python3 "$ROOT/scripts/reliability/bytes_request.py" --url "127.0.0.1:$PORT" \
    --pid "$SERVER_PID" "$@" 2>&1 | grep -v -i 'warn' | tee -a "$OUT/summary.txt" || failed=1
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "FAIL $name: the server died" | tee -a "$OUT/summary.txt"
    failed=1
  fi
  stop_server
  if grep -q OutOfMemoryError "$OUT/server-$PORT.log"; then
    echo "FAIL $name: OutOfMemoryError in the server log" | tee -a "$OUT/summary.txt"
    failed=1
  fi
  mv "$OUT/server-$PORT.log" "$OUT/server-$name.log"
}
EXTRA=("$@")
# The JVM's default heap (a quarter of the memory); G1 is the default collector anyway.
DEFAULT_HEAP=-XX:+UseG1GC
run_case raw "$DEFAULT_HEAP" -- --elements 16000000
run_case raw-x3 "$DEFAULT_HEAP" -- --elements 16000000 --concurrent 3
run_case raw-xmx1g "-Xmx1g" -- --elements 16000000
run_case typed-empty "$DEFAULT_HEAP" -- --elements 16000000 --typed
run_case typed-1byte "$DEFAULT_HEAP" -- --elements 16000000 --element-bytes 1 --typed
run_case typed-1byte-xmx1g "-Xmx1g" -- --elements 16000000 --element-bytes 1 --typed
echo "results in $OUT"
exit $failed
