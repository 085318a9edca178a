#!/usr/bin/env bash
# Scenario 4 (issue 3): JMH for the scheduler: publish -> dispatch -> execute (no-op) -> listener,
# per request, and allocation per request (gc profiler), at batch sizes 1, 8 and 32.
#   scripts/bench/jmh.sh
source "$(dirname "$0")/common.sh"
[ -f batching/benchmarks/target/benchmarks.jar ] || mvn -B -q -DskipTests package -pl batching/benchmarks -am
machine_note
java -jar batching/benchmarks/target/benchmarks.jar -f 1 -wi 3 -i 5 -w 2s -r 3s -prof gc \
  -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.txt"
