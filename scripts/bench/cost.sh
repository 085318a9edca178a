#!/usr/bin/env bash
# Overhead of cost accounting (issue 17): two servers on the sample model `simple`, one with
# cost accounting (the default: the worker thread's CPU clock read twice per execution) and one
# with --cost-accounting=false, loaded in alternating rounds so machine noise hits both alike;
# the ratio is median(rps on) / median(rps off), and must be >= 0.98. Also prints what one read of
# the thread CPU clock costs on this machine (two per execution), which does not depend on load.
#
#   scripts/bench/cost.sh [rounds] [seconds]     (env: CONCURRENCY=8)
# Needs server/target/tensorgate-server.jar and loadtest/target/tensorgate-loadtest.jar
# (mvn -B -q package -DskipTests -pl server,loadtest -am). Servers on 127.0.0.1:19011 and 19021.
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-5}
SECS=${2:-10}
CONCURRENCY=${CONCURRENCY:-8}
build_if_needed
machine_note
start_server 19011 --model-repository models --model-control-mode explicit --load-model simple
start_server 19021 --model-repository models --model-control-mode explicit --load-model simple \
  --cost-accounting=false
for round in $(seq 0 "$ROUNDS"); do # round 0 warms both up and is not counted
  for side in on off; do
    port=19011
    [ "$side" = off ] && port=19021
    $LOADGEN run --url "127.0.0.1:$port" -m simple --concurrency "$CONCURRENCY" -d "${SECS}s" \
      --warmup 3s --json "$OUT/$side-r$round.json" >/dev/null
  done
  echo "round $round/$ROUNDS done (load average $(cut -d' ' -f1 /proc/loadavg))"
done
cat >"$OUT/CpuClockRead.java" <<'JAVA'
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

public class CpuClockRead {
  public static void main(String[] args) {
    ThreadMXBean t = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int i = 0; i < 200_000; i++) sink += t.getCurrentThreadCpuTime(); // warm-up
    int n = 2_000_000;
    long cpu0 = t.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) sink += t.getCurrentThreadCpuTime();
    long cpu = t.getCurrentThreadCpuTime() - cpu0;
    System.out.printf("thread CPU clock read: %.0f ns of CPU each (%d reads; %d)%n",
        (double) cpu / n, n, sink % 2);
  }
}
JAVA
java "$OUT/CpuClockRead.java" | tee "$OUT/clock.txt"
/usr/bin/python3 - "$OUT" "$ROUNDS" <<'PY' | tee "$OUT/summary.md"
import json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rps = {s: [json.load(open(os.path.join(out, f"{s}-r{r}.json")))["rps"] for r in range(1, rounds + 1)]
       for s in ("on", "off")}
on, off = statistics.median(rps["on"]), statistics.median(rps["off"])
ratios = [a / b for a, b in zip(rps["on"], rps["off"])]
print(f"cost accounting on {on:.0f} rps, off {off:.0f} rps: ratio {on / off:.3f}"
      f" (per round: {', '.join(f'{x:.3f}' for x in ratios)})")
print("PASS" if on / off >= 0.98 else "FAIL: more than 2 % slower with cost accounting")
PY
