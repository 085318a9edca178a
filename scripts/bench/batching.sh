#!/usr/bin/env bash
# Scenario 2 (issue 3): batching gain on a real CNN, PaddleOCR's text-direction classifier
# (input [N,3,48,192] FP32), served with dynamic batching, served without, and run in-process
# with ONNX Runtime at each batch size (the compute ceiling), on the same 2 threads/instances.
#   scripts/bench/batching.sh [seconds]
source "$(dirname "$0")/common.sh"
SECS=${1:-10}
build_if_needed
scripts/bench/setup-models.sh >/dev/null
machine_note
$LOADGEN inprocess -f bench-models/repo/cls/1/model.onnx --shape x:3,48,192 --threads 2 \
  --batch-sizes 1,2,4,8,16,32,64 -d "${SECS}s" --warmup 3s --json "$OUT/inprocess.json" \
  | tee "$OUT/inprocess.txt"
start_server 18103 --model-repository bench-models/repo --model-control-mode explicit \
  --load-model cls --load-model cls_nobatch
for c in 1 4 16 32 64; do
  for m in cls cls_nobatch; do
    $LOADGEN run --url 127.0.0.1:18103 -m "$m" --concurrency "$c" -d "${SECS}s" --warmup 3s \
      --server-stats --json "$OUT/$m-c$c.json" >/dev/null
  done
done
/usr/bin/python3 "$ROOT/scripts/bench/summarize.py" batching "$OUT" | tee "$OUT/summary.md"
