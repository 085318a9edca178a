#!/usr/bin/env bash
# Longer fuzzing run: each Jazzer @FuzzTest target in fuzzing mode (JAZZER_FUZZ=1) for a while.
# The normal build only replays the committed seeds; this script looks for new inputs.
#
#   scripts/reliability/fuzz.sh                      # every target, 300 s each
#   FUZZ_SECONDS=120 scripts/reliability/fuzz.sh     # shorter
#   FUZZ_TARGETS='ConfigFuzzTest#parseTextConfig' scripts/reliability/fuzz.sh
#
# Settings (environment):
#   FUZZ_SECONDS          fuzzing time per target (default 300)
#   FUZZ_TIMEOUT_SECONDS  one input running longer than this is a hang finding (default 10)
#   FUZZ_HEAP             heap of the fuzzing JVM; an OutOfMemoryError is a finding (default 1g)
#   FUZZ_TARGETS          space-separated Class#method list (default: all targets below)
#   FUZZ_OUT              where logs and the summary go (default target/fuzz)
#
# Findings: Jazzer writes a crashing input (crash-<sha1>, timeout-<sha1>) into the target's seed
# folder, server/src/test/resources/<package>/<Class>Inputs/<method>/, so once the bug is fixed the
# input is committed there and replays in every build. The corpus Jazzer grows lives in
# server/.cifuzz-corpus/ (ignored by git) and is reused by the next run.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECS="${FUZZ_SECONDS:-300}"
TIMEOUT="${FUZZ_TIMEOUT_SECONDS:-10}"
HEAP="${FUZZ_HEAP:-1g}"
OUT="${FUZZ_OUT:-target/fuzz}"
DEFAULT_TARGETS="RequestDecoderFuzzTest#decodeWireRequest
RequestDecoderFuzzTest#decodeStructuredRequest
ConfigFuzzTest#parseTextConfig
ConfigFuzzTest#parseJsonConfig
SharedMemoryFuzzTest#registerAndSlice
SharedMemoryFuzzTest#parseTensorParameters
HttpCodecFuzzTest#readJsonRequest
HttpCodecFuzzTest#readBinaryRequest
HttpCodecFuzzTest#inflateBody
HttpCodecFuzzTest#writeResponse"
TARGETS="${FUZZ_TARGETS:-$DEFAULT_TARGETS}"

mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
echo "fuzz.sh: ${SECS}s per target, per-input timeout ${TIMEOUT}s, heap ${HEAP}" | tee -a "$SUMMARY"

status=0
for target in $TARGETS; do
  log="$OUT/${target//#/.}.log"
  echo "== $target" | tee -a "$SUMMARY"
  # Jazzer reads jazzer.* JUnit configuration parameters from system properties; the
  # jazzer.internal.arg.N ones are passed to libFuzzer after Jazzer's own (so they win).
  set +e
  JAZZER_FUZZ=1 mvn -o -B -pl server -am test \
    -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.hooks=true \
    -Djazzer.internal.arg.0=fuzz \
    -Djazzer.internal.arg.1="-max_total_time=${SECS}" \
    -Djazzer.internal.arg.2="-timeout=${TIMEOUT}" \
    -Djazzer.internal.arg.3="-print_final_stats=1" \
    -DargLine="-Xmx${HEAP} -XX:-OmitStackTraceInFastThrow" \
    -Dsurefire.redirectTestOutputToFile=false > "$log" 2>&1
  rc=$?
  set -e
  done_line="$(grep -a -E '^Done [0-9]+ runs' "$log" | tail -1 || true)"
  cov_line="$(grep -a -E '#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)"
  findings="$(grep -a -E 'Test unit written to|== Java Exception|FuzzTestFindingException' "$log" | head -5 || true)"
  {
    echo "   exit: $rc"
    echo "   ${done_line:-no 'Done' line (see $log)}"
    echo "   ${cov_line:-}"
    if [ -n "$findings" ]; then echo "   FINDINGS:"; echo "$findings" | sed 's/^/     /'; fi
  } | tee -a "$SUMMARY"
  if [ "$rc" -ne 0 ] || [ -n "$findings" ]; then status=1; fi
done
echo "summary: $SUMMARY"
exit "$status"
