#!/usr/bin/env bash
# Scenario 2 (issue 3): batching gain on a real CNN, PaddleOCR's text-direction classifier
# (input [N,3,48,192] FP32), served with dynamic batching, served without, and run in-process
# with ONNX Runtime at each batch size (the compute ceiling), on the same 2 threads/instances.
# Served levels are measured by the lean harness (with the server's statistics) and by h2load on
# the same request bytes.
#   scripts/bench/batching.sh [seconds]
source "$(dirname "$0")/common.sh"
SECS=${1:-10}
PORT=$((PORT_BASE + 3))
need_h2load
build_if_needed
scripts/bench/setup-models.sh >/dev/null
machine_note
$LOADGEN inprocess -f bench-models/repo/cls/1/model.onnx --shape x:3,48,192 --threads 2 \
  --batch-sizes 1,2,4,8,16,32,64 -d "${SECS}s" --warmup 3s --json "$OUT/inprocess.json" \
  | tee "$OUT/inprocess.txt"
start_server "$PORT" --model-repository bench-models/repo --model-control-mode explicit \
  --load-model cls --load-model cls_nobatch
for m in cls cls_nobatch; do
  dump_request "$PORT" "$OUT/$m.grpc" --model "$m"
done
for c in 1 4 16 32 64; do
  conns=1
  [ "$c" -ge 16 ] && conns=4
  for m in cls cls_nobatch; do
    loadgen "$PORT" "$OUT/$m-c$c.json" --model "$m" -c "$c" --connections "$conns" -z "${SECS}s" \
      --warmup "${WARMUP}s" --server-stats
    h2load_run "$PORT" "$OUT/$m.grpc" "$conns" $((c / conns)) "$SECS" "$OUT/$m-c$c-h2load"
  done
done
/usr/bin/python3 "$ROOT/scripts/bench/summarize.py" batching "$OUT" | tee "$OUT/summary.md"
