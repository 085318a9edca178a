#!/usr/bin/env bash
# TensorRT backend (issue 7), on a GPU host only: the sample mlp_classifier (FP32 [64] -> [10])
# served by ONNX Runtime on the CPU and, built with trtexec, as a TensorRT engine on GPU 0, in one
# server, both with dynamic batching and two instances, at concurrency 1, 8 and 64. Rounds
# alternate the two models so that machine noise hits both alike. Prints throughput, latency and
# the server's compute-input / compute-infer / compute-output split, and the ratio TensorRT / ONNX.
# Load from the lean harness (tensorgate-loadtest, ghz's command line).
# Needs an NVIDIA GPU, the CUDA 13 and TensorRT 10 libraries and trtexec on PATH (NVIDIA's
# nvcr.io/nvidia/tensorrt image has them), plus a Java 17 runtime.
#   scripts/bench/tensorrt.sh [rounds] [seconds]
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
SECS=${2:-10}
if ! command -v trtexec >/dev/null; then
  echo "tensorrt.sh needs trtexec (TensorRT) and an NVIDIA GPU; none here, nothing measured" >&2
  exit 2
fi
build_if_needed
machine_note
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$OUT/machine.txt"

REPO=$OUT/repo
mkdir -p "$REPO/cls_onnx/1" "$REPO/cls_trt/1"
cp models/mlp_classifier/1/model.onnx "$REPO/cls_onnx/1/"
cp models/mlp_classifier/labels.txt "$REPO/cls_onnx/"
sed 's/name: "mlp_classifier"/name: "cls_onnx"/' models/mlp_classifier/config.pbtxt >"$REPO/cls_onnx/config.pbtxt"
trtexec --onnx=models/mlp_classifier/1/model.onnx --saveEngine="$REPO/cls_trt/1/model.plan" \
  --minShapes=features:1x64 --optShapes=features:16x64 --maxShapes=features:32x64 \
  >"$OUT/trtexec.log" 2>&1
cat >"$REPO/cls_trt/config.pbtxt" <<'CONFIG'
name: "cls_trt"
platform: "tensorrt_plan"
max_batch_size: 32
input [{ name: "features" data_type: TYPE_FP32 dims: [64] }]
output [{ name: "probabilities" data_type: TYPE_FP32 dims: [10] }]
dynamic_batching { max_queue_delay_microseconds: 100 }
instance_group [{ count: 2 kind: KIND_GPU gpus: [0] }]
CONFIG

PORT=$((PORT_BASE + 31))
start_server "$PORT" --model-repository "$REPO"
if ! grep -q "cls_trt version 1 READY" "$OUT/server-$PORT.log"; then
  echo "cls_trt did not load; see $OUT/server-$PORT.log" >&2
  grep -i "tensorrt\|cls_trt" "$OUT/server-$PORT.log" >&2 || true
  exit 1
fi
for round in $(seq 1 "$ROUNDS"); do
  for c in 1 8 64; do
    for m in cls_onnx cls_trt; do
      loadgen "$PORT" "$OUT/$m-c$c-r$round.json" --model "$m" -c "$c" -z "${SECS}s" \
        --warmup "${WARMUP}s" --input-data random --server-stats
    done
  done
done
/usr/bin/python3 "$ROOT/scripts/bench/summarize.py" tensorrt "$OUT" | tee "$OUT/summary.md"
