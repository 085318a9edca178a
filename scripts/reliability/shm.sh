#!/usr/bin/env bash
# Shared-memory attacks (issue 11 items 2, 3, 7), on a server limited to 1024 open files:
#   race:    6 clients infer with inputs and outputs in a /dev/shm object that another thread
#            truncates and re-extends in a loop, for SECONDS (default 20); every request must be
#            answered OK or INVALID_ARGUMENT, and the server must stay up, ready and serving.
#   regions: 1000 regions registered on one object, then 100 new connections; every
#            registration and every connection must succeed (regions hold no descriptor).
# Exits non-zero when a check fails.
#   scripts/reliability/shm.sh [seconds]
source "$(dirname "$0")/lib.sh"
SECS=${1:-20}
PORT=${PORT:-18611}
build_if_needed
machine_note
mkdir -p "$OUT/repo" && cp -r "$ROOT/models/simple" "$OUT/repo/"
ulimit -n 1024
echo "open-file limit of the server: $(ulimit -n)" | tee -a "$OUT/machine.txt"
start_server "$PORT" --model-repository "$OUT/repo"
failed=0
/usr/bin/python3 "$ROOT/scripts/reliability/shm_attack.py" race --url "127.0.0.1:$PORT" \
  --seconds "$SECS" | tee "$OUT/race.json" || failed=1
/usr/bin/python3 "$ROOT/scripts/reliability/shm_attack.py" regions --url "127.0.0.1:$PORT" \
  --regions 1000 --connections 100 | tee "$OUT/regions.json" || failed=1
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "FAIL: the server died" | tee -a "$OUT/summary.txt"
  failed=1
fi
grep -l "SIGBUS\|hs_err" "$OUT"/server-*.log >/dev/null 2>&1 && { echo "FAIL: JVM crash in the log"; failed=1; }
echo "results in $OUT"
exit $failed
