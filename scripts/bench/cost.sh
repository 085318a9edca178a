#!/usr/bin/env bash
# Overhead of cost accounting (issue 17): two servers on the sample model `simple`, one with
# cost accounting (the default: the worker thread's CPU clock read twice per execution) and one
# with --cost-accounting=false, loaded in alternating rounds so machine noise hits both alike;
# the ratio is median(rps on) / median(rps off), and must be >= 0.98. Also prints what one read of
# the thread CPU clock costs on this machine (two per execution), which does not depend on load.
#
#   scripts/bench/cost.sh [rounds] [seconds]     (env: CONCURRENCY=8)
# Needs server/target/tensorgate-server.jar and loadtest/target/tensorgate-loadtest.jar
# (mvn -B -q package -DskipTests -pl server,loadtest -am). Servers on 127.0.0.1, ports
# TG_BENCH_PORT_BASE+81 (on) and +82 (off). Load: the lean harness (tensorgate-loadtest).
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-5}
SECS=${2:-10}
CONCURRENCY=${CONCURRENCY:-8}
build_if_needed
machine_note
ON_PORT=$((PORT_BASE + 81))
OFF_PORT=$((PORT_BASE + 82))
start_server "$ON_PORT" --model-repository models --model-control-mode explicit --load-model simple
start_server "$OFF_PORT" --model-repository models --model-control-mode explicit --load-model simple \
  --cost-accounting=false
for round in $(seq 0 "$ROUNDS"); do # round 0 warms both up and is not counted
  for side in on off; do
    port=$ON_PORT
    [ "$side" = off ] && port=$OFF_PORT
    loadgen "$port" "$OUT/$side-r$round.json" --model simple -c "$CONCURRENCY" -z "${SECS}s" \
      --warmup "${WARMUP}s" >/dev/null
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
reports = {s: [json.load(open(os.path.join(out, f"{s}-r{r}.json"))) for r in range(1, rounds + 1)]
           for s in ("on", "off")}
rps = {s: [d["tensorgate"]["okRps"] for d in reports[s]] for s in reports}
client = reports["on"][0].get("tensorgate", {}).get("client", {}).get("description", "?")
on, off = statistics.median(rps["on"]), statistics.median(rps["off"])
ratios = [a / b for a, b in zip(rps["on"], rps["off"])]
print(f"cost accounting on {on:.0f} rps, off {off:.0f} rps: ratio {on / off:.3f}"
      f" (per round: {', '.join(f'{x:.3f}' for x in ratios)})")
print(f"client: {client}")
print("PASS" if on / off >= 0.98 else "FAIL: more than 2 % slower with cost accounting")
PY
