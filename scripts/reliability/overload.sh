#!/usr/bin/env bash
# Overload (issue 6): a model of fixed capacity (FaultBackend, 20 ms per batch of up to 4, queue
# bound 32: admitted requests wait at most 8 batches, ~160 ms). Measures capacity closed-loop, then offers 2x capacity open-loop, then 0.5x right
# after, and checks:
# With QUEUE=0 the model has no max_queue_size (the default 4096-deep ring, as in issue 11 item 10)
# and only the server's --max-queue-wait-ms (MAX_QUEUE_WAIT_MS, default 1000) bounds the wait:
# P99_LIMIT_MS then defaults to that budget, the server-side queue wait of admitted requests
# (from /metrics) must be within it for 99% of them, and 0.5x starts once the queue drained.
#   2x:   goodput >= 90% of capacity; admitted p99 <= P99_LIMIT_MS; every failure is
#         UNAVAILABLE or RESOURCE_EXHAUSTED, refused fast: p50 <= REFUSAL_P50_MS (10) and
#         p99 <= REFUSAL_P99_MS (100; latencies count from the intended send time, so on a
#         shared 2-core machine a stall of either process shows up here);
#         the load generator never ran out of outstanding slots; no OutOfMemoryError.
#   0.5x: no failed request, p99 <= P99_LIMIT_MS (recovery at once: no warm-up before it).
# Exits non-zero when a check fails.
#   scripts/reliability/overload.sh [seconds per level]
source "$(dirname "$0")/lib.sh"
SECS=${1:-20}
QUEUE=${QUEUE:-32}
MAX_QUEUE_WAIT_MS=${MAX_QUEUE_WAIT_MS:-1000}
if [ "$QUEUE" = 0 ]; then
  P99_LIMIT_MS=${P99_LIMIT_MS:-$MAX_QUEUE_WAIT_MS}
else
  P99_LIMIT_MS=${P99_LIMIT_MS:-300}
fi
REFUSAL_P50_MS=${REFUSAL_P50_MS:-10}
REFUSAL_P99_MS=${REFUSAL_P99_MS:-100}
PORT=${PORT:-18601}
build_if_needed
machine_note
REPO="$OUT/repo"
slow_model "$REPO" slow 20 "$QUEUE"
echo "queue bound: $QUEUE (0: none), --max-queue-wait-ms $MAX_QUEUE_WAIT_MS" | tee -a "$OUT/machine.txt"
start_server "$PORT" --model-repository "$REPO" --max-queue-wait-ms "$MAX_QUEUE_WAIT_MS"
RUN="$LOADGEN run --url 127.0.0.1:$PORT -m slow --input-data zero"

# Concurrency 16 keeps the instance busy with full batches without overflowing the queue.
$RUN --concurrency 16 -d "${SECS}s" --warmup 3s --json "$OUT/capacity.json" >/dev/null
cap=$(json "$OUT/capacity.json" "r['tensorgate']['okRps']")
echo "capacity: $cap requests/s" | tee "$OUT/summary.txt"

# The server's own view (queue-wait histogram of admitted requests), scraped around the 2x level:
# unlike the load generator's latencies it carries no stall of the load generator.
metrics_port=$(sed -n 's/.*Started Metrics Service at [0-9.]*:\([0-9]*\).*/\1/p' "$OUT/server-$PORT.log" | head -1)
scrape() { curl -s "127.0.0.1:$metrics_port/metrics" | grep '^tensorgate_inference_queue_duration_seconds_bucket' >"$1" || true; }
over=$(/usr/bin/python3 -c "print(round(2*$cap, 1))")
scrape "$OUT/queue-before.txt"
$RUN --rate "$over" -d "${SECS}s" --warmup 2s --max-outstanding 5000 --json "$OUT/overload.json" >/dev/null
scrape "$OUT/queue-after.txt"
if [ "$QUEUE" = 0 ]; then
  # Without a queue bound the overload leaves up to the budget's worth of work queued; arrivals
  # right after it would meet that queue (and some its refusals). Recovery starts once it drained.
  sleep "$(/usr/bin/python3 -c "print($MAX_QUEUE_WAIT_MS / 1000)")"
fi
under=$(/usr/bin/python3 -c "print(round(0.5*$cap, 1))")
$RUN --rate "$under" -d "${SECS}s" --warmup 0s --max-outstanding 5000 --json "$OUT/recovery.json" >/dev/null
alive=yes
kill -0 "$SERVER_PID" 2>/dev/null || alive=no

/usr/bin/python3 - "$OUT" "$cap" "$P99_LIMIT_MS" "$REFUSAL_P50_MS" "$REFUSAL_P99_MS" "$alive" "$QUEUE" "$MAX_QUEUE_WAIT_MS" <<'PY' | tee -a "$OUT/summary.txt"
import json, re, sys, pathlib
out, cap, p99_limit, refusal_p50, refusal_p99 = sys.argv[1], *map(float, sys.argv[2:6])
alive = sys.argv[6]
queue, budget_ms = int(sys.argv[7]), float(sys.argv[8])

def buckets(name):
    b = {}
    for line in pathlib.Path(out, name).read_text().splitlines():
        m = re.search(r'le="([^"]+)"\} ([0-9.e+]+)$', line)
        if m:
            b[float(m.group(1))] = float(m.group(2))
    return b
over = json.load(open(f"{out}/overload.json"))
rec = json.load(open(f"{out}/recovery.json"))
log = pathlib.Path(out).glob("server-*.log")
oom = any("OutOfMemoryError" in p.read_text(errors="replace") for p in log)
ms = lambda ns: ns / 1e6
t = over["tensorgate"]; u = rec["tensorgate"]
refusals = {k: v for k, v in over["statusCodeDistribution"].items() if k != "OK"}
checks = [
    (f"2x offered {t['level']:.0f}/s: goodput {t['okRps']:.1f}/s >= 90% of capacity {cap:.1f}/s", t["okRps"] >= 0.9 * cap),
    (f"2x admitted p99 {ms(t['latencyNanos']['p99']):.1f} ms <= {p99_limit:.0f} ms", ms(t["latencyNanos"]["p99"]) <= p99_limit),
    (f"2x failures only Unavailable/ResourceExhausted: {refusals}", set(refusals) <= {"Unavailable", "ResourceExhausted"}),
    (f"2x refused fast: refusal p50 {ms(t['errorLatencyNanos']['p50']):.2f} ms <= {refusal_p50:.0f} ms", ms(t["errorLatencyNanos"]["p50"]) <= refusal_p50),
    (f"2x refused fast: refusal p99 {ms(t['errorLatencyNanos']['p99']):.1f} ms <= {refusal_p99:.0f} ms", ms(t["errorLatencyNanos"]["p99"]) <= refusal_p99),
    (f"2x excess was refused: {sum(refusals.values())} refusals > 0", sum(refusals.values()) > 0),
    (f"2x load generator kept up: client saturated {t['clientSaturated']}", t["clientSaturated"] == 0),
    (f"0.5x offered {u['level']:.0f}/s right after: {u['errors']} failed of {rec['count']}", u["errors"] == 0 and rec["count"] > 0),
    (f"0.5x p99 {ms(u['latencyNanos']['p99']):.1f} ms <= {p99_limit:.0f} ms", ms(u["latencyNanos"]["p99"]) <= p99_limit),
    ("no OutOfMemoryError in the server log", not oom),
    ("server still running", alive == "yes"),
]
if queue == 0 and budget_ms > 0:
    before, after = buckets("queue-before.txt"), buckets("queue-after.txt")
    if after:
        le = min(k for k in after if k >= budget_ms / 1000)
        total = after[float("inf")] - before.get(float("inf"), 0)
        within = after[le] - before.get(le, 0)
        share = within / total if total else 0
        checks.append((f"2x server-side queue wait of admitted requests <= {le * 1000:.0f} ms: "
                       f"{100 * share:.2f}% of {total:.0f} (need 99%)", share >= 0.99))
failed = 0
for text, ok in checks:
    print(("PASS " if ok else "FAIL ") + text)
    failed += not ok
lag = max(t["maxScheduleLagNanos"], u["maxScheduleLagNanos"]) / 1e6
print(f"load generator: at most {lag:.0f} ms behind its send schedule")
if failed and lag > 100:
    print("NOTE: the load generator itself stalled; on a shared machine this FAIL may be noise")
print(f"2x: {over['count']} requests, {t['ok']} ok, admitted p50 {ms(t['latencyNanos']['p50']):.1f} ms p99 {ms(t['latencyNanos']['p99']):.1f} ms, refusal p50 {ms(t['errorLatencyNanos']['p50']):.2f} ms")
sys.exit(1 if failed else 0)
PY
echo "results in $OUT"
