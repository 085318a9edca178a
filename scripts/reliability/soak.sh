#!/usr/bin/env bash
# Memory soak (issue 6): open loop at 70% of the measured capacity of a fixed-speed test model
# for MINUTES, after one minute of warm-up. Post-GC heap (jcmd GC.run, then GC.heap_info) and RSS
# are sampled at the end of warm-up and every minute after; checks:
#   post-GC heap growth < HEAP_LIMIT_PCT (10%), RSS growth < RSS_LIMIT_MB (64 MiB), no failed request.
# Exits non-zero when a check fails.
#   scripts/reliability/soak.sh [minutes]                       # the soak
#   scripts/reliability/soak.sh 3 --leak 4096                   # negative control: must FAIL
# --leak N makes the test backend keep N bytes per request forever (FaultBackend's
# leak_bytes_per_request), to prove the check catches a leak.
source "$(dirname "$0")/lib.sh"
MINUTES=${1:-10}
LEAK=0
if [ "${2:-}" = "--leak" ]; then LEAK=${3:?--leak needs a byte count}; fi
HEAP_LIMIT_PCT=${HEAP_LIMIT_PCT:-10}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-64}
PORT=${PORT:-18611}
build_if_needed
machine_note
REPO="$OUT/repo"
# A deeper queue than the overload check's: the jcmd GC.run pauses must not cost requests.
slow_model "$REPO" slow 20 256 \
  "parameters { key: \"leak_bytes_per_request\" value: { string_value: \"$LEAK\" } }"
start_server "$PORT" --model-repository "$REPO"
RUN="$LOADGEN run --url 127.0.0.1:$PORT -m slow --input-data zero"

$RUN --concurrency 16 -d 10s --warmup 3s --json "$OUT/capacity.json" >/dev/null
cap=$(json "$OUT/capacity.json" "r['tensorgate']['okRps']")
rate=$(/usr/bin/python3 -c "print(round(0.7*$cap, 1))")
echo "capacity $cap/s; soak at $rate/s for $MINUTES min after 1 min warm-up; leak $LEAK B/request" \
  | tee "$OUT/summary.txt"

# sample LABEL: post-GC heap used (KiB) and RSS (KiB) of the server, appended to samples.tsv.
sample() {
  jcmd "$SERVER_PID" GC.run >/dev/null
  local heap rss
  heap=$(jcmd "$SERVER_PID" GC.heap_info | /usr/bin/python3 -c \
    "import re,sys;print(re.search(r'used (\d+)K', sys.stdin.read()).group(1))")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
  printf '%s\t%s\t%s\t%s\n' "$1" "$(date -u +%T)" "$heap" "$rss" | tee -a "$OUT/samples.tsv"
}
printf 'label\ttime\theap_used_kib\trss_kib\n' >"$OUT/samples.tsv"

# One run covers warm-up and soak; the measurement window (its JSON) is the soak alone.
$RUN --rate "$rate" -d "${MINUTES}m" --warmup 60s --max-outstanding 5000 \
  --json "$OUT/soak.json" >"$OUT/loadgen.txt" 2>&1 &
LOAD_PID=$!
sleep 60
sample start
for m in $(seq 1 "$MINUTES"); do
  sleep 60
  sample "minute-$m"
done
wait "$LOAD_PID"

/usr/bin/python3 - "$OUT" "$HEAP_LIMIT_PCT" "$RSS_LIMIT_MB" <<'PY' | tee -a "$OUT/summary.txt"
import csv, json, sys
out, heap_limit, rss_limit = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = list(csv.DictReader(open(f"{out}/samples.tsv"), delimiter="\t"))
first, last = rows[0], rows[-1]
h0, h1 = int(first["heap_used_kib"]), int(last["heap_used_kib"])
r0, r1 = int(first["rss_kib"]), int(last["rss_kib"])
soak = json.load(open(f"{out}/soak.json"))
t = soak["tensorgate"]
heap_growth = 100.0 * (h1 - h0) / h0
rss_growth_mb = (r1 - r0) / 1024
checks = [
    (f"post-GC heap {h0/1024:.1f} MiB -> {h1/1024:.1f} MiB: growth {heap_growth:+.1f}% < {heap_limit:.0f}%", heap_growth < heap_limit),
    (f"RSS {r0/1024:.1f} MiB -> {r1/1024:.1f} MiB: growth {rss_growth_mb:+.1f} MiB < {rss_limit:.0f} MiB", rss_growth_mb < rss_limit),
    (f"requests: {soak['count']} sent at {t['level']:.0f}/s, {t['errors']} failed", t["errors"] == 0 and soak["count"] > 0),
]
failed = 0
for text, ok in checks:
    print(("PASS " if ok else "FAIL ") + text)
    failed += not ok
print(f"latency p50 {t['latencyNanos']['p50']/1e6:.1f} ms p99 {t['latencyNanos']['p99']/1e6:.1f} ms")
sys.exit(1 if failed else 0)
PY
echo "results in $OUT"
