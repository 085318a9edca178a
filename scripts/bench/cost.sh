#!/usr/bin/env bash
# Overhead of cost accounting (issue 17): two servers on the sample model `simple`, one with
# cost accounting (the default) and one with --cost-accounting=false, loaded in alternating
# rounds so machine noise hits both alike. Two measures, each a ratio on/off that must be within
# 2 %:
#   - throughput: median(rps on) / median(rps off), must be >= 0.98;
#   - server CPU per request: the server process's CPU time (/proc/PID/stat utime + stime) over
#     the requests it answered in the round (its nv_inference_request_success counter), median on /
#     median off, must be <= 1.02. Less sensitive to machine load than throughput.
# Cost accounting reads the instance threads' CPU clocks when /metrics or GetRouting ask, not per
# execution, so the request path is the same either way; this checks that it stays so.
#
#   scripts/bench/cost.sh [rounds] [seconds]     (env: CONCURRENCY=8)
# Needs server/target/tensorgate-server.jar and loadtest/target/tensorgate-loadtest.jar
# (mvn -B -q package -DskipTests -pl server,loadtest -am). Servers on 127.0.0.1, gRPC ports
# TG_BENCH_PORT_BASE+81 (on) and +82 (off), metrics +83 and +84. Load: the lean harness
# (tensorgate-loadtest).
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-5}
SECS=${2:-10}
CONCURRENCY=${CONCURRENCY:-8}
build_if_needed
machine_note
ON_PORT=$((PORT_BASE + 81))
OFF_PORT=$((PORT_BASE + 82))
METRICS_PORT=$((PORT_BASE + 83)) start_server "$ON_PORT" --model-repository models \
  --model-control-mode explicit --load-model simple
ON_PID=${PIDS[-1]}
METRICS_PORT=$((PORT_BASE + 84)) start_server "$OFF_PORT" --model-repository models \
  --model-control-mode explicit --load-model simple --cost-accounting=false
OFF_PID=${PIDS[-1]}

# cpu_ticks PID: user + system CPU time of the process so far, in clock ticks.
cpu_ticks() {
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
# answered METRICS_PORT: successful inferences of simple so far.
answered() {
  curl -s "127.0.0.1:$1/metrics" |
    awk '/^nv_inference_request_success\{.*model="simple"/ { n += $NF } END { printf "%d\n", n }'
}

for round in $(seq 0 "$ROUNDS"); do # round 0 warms both up and is not counted
  for side in on off; do
    port=$ON_PORT pid=$ON_PID metrics=$((PORT_BASE + 83))
    [ "$side" = off ] && port=$OFF_PORT pid=$OFF_PID metrics=$((PORT_BASE + 84))
    t0=$(cpu_ticks "$pid") n0=$(answered "$metrics")
    loadgen "$port" "$OUT/$side-r$round.json" --model simple -c "$CONCURRENCY" -z "${SECS}s" \
      --warmup "${WARMUP}s" >/dev/null
    t1=$(cpu_ticks "$pid") n1=$(answered "$metrics")
    echo "$((t1 - t0)) $((n1 - n0))" >"$OUT/$side-r$round.cpu"
  done
  echo "round $round/$ROUNDS done (load average $(cut -d' ' -f1 /proc/loadavg))"
done
/usr/bin/python3 - "$OUT" "$ROUNDS" "$(getconf CLK_TCK)" <<'PY' | tee "$OUT/summary.md"
import json, os, statistics, sys
out, rounds, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sides = ("on", "off")
reports = {s: [json.load(open(os.path.join(out, f"{s}-r{r}.json"))) for r in range(1, rounds + 1)]
           for s in sides}
rps = {s: [d["tensorgate"]["okRps"] for d in reports[s]] for s in sides}
cpu = {}
for s in sides:
    cpu[s] = []
    for r in range(1, rounds + 1):
        ticks, n = map(int, open(os.path.join(out, f"{s}-r{r}.cpu")).read().split())
        cpu[s].append(1e6 * ticks / hz / n if n else float("nan"))
client = reports["on"][0].get("tensorgate", {}).get("client", {}).get("description", "?")
on, off = statistics.median(rps["on"]), statistics.median(rps["off"])
ratios = [a / b for a, b in zip(rps["on"], rps["off"])]
print(f"throughput: cost accounting on {on:.0f} rps, off {off:.0f} rps: ratio {on / off:.3f}"
      f" (per round: {', '.join(f'{x:.3f}' for x in ratios)})")
con, coff = statistics.median(cpu["on"]), statistics.median(cpu["off"])
cratios = [a / b for a, b in zip(cpu["on"], cpu["off"])]
print(f"server CPU per request: on {con:.1f} us, off {coff:.1f} us: ratio {con / coff:.3f}"
      f" (per round: {', '.join(f'{x:.3f}' for x in cratios)})")
print(f"client: {client}")
ok_rps = on / off >= 0.98
ok_cpu = con / coff <= 1.02
print("PASS" if ok_rps and ok_cpu else
      "FAIL:" + ("" if ok_rps else " more than 2 % slower with cost accounting;")
      + ("" if ok_cpu else " more than 2 % more server CPU per request with cost accounting"))
PY
