#!/usr/bin/env bash
# Is the load generator the bottleneck? The lean harness (tensorgate-loadtest, ghz's command line)
# and h2load (Debian's nghttp2-client, C, one thread) against the same Tensorgate, with the same
# request bytes (the harness writes its serialized request for h2load's -d) and the same number of
# connections and calls in flight, alternating in every round:
#   simple  INT32 [1,16] add/sub   h2load -c 16 -m 8   harness -c 128 --connections 16
#   cls     PaddleOCR direction classifier, FP32 [1,3,48,192] (110 KB a request)
#                                  h2load -c 4 -m 8    harness -c 32 --connections 4
# Prints answered requests/s of both and harness/h2load per round, and the median ratio per model
# against the 0.8 target. h2load counts HTTP 200 as success; the server's failure counter is read
# around each h2load run to make sure every request it sent was answered OK.
# Both get TG_BENCH_WARMUP (5) seconds of warm-up before each measured run.
#   scripts/bench/harness.sh [rounds] [seconds per run]
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-3}
SECS=${2:-10}
PORT=$((PORT_BASE + 71))
METRICS_PORT=$((PORT_BASE + 72))
need_h2load
build_if_needed
scripts/bench/setup-models.sh >/dev/null
machine_note
start_server "$PORT" --model-repository bench-models/repo --model-control-mode explicit \
  --load-model simple --load-model cls

# model, h2load clients, streams per client
CASES=("simple 16 8" "cls 4 8")
for c in "${CASES[@]}"; do
  read -r model clients streams <<<"$c"
  dump_request "$PORT" "$OUT/$model.grpc" --model "$model"
  # A fresh server compiles its hot paths in its first seconds: warm it up before any round.
  loadgen "$PORT" "$OUT/$model-server-warmup.json" --model "$model" -c "$((clients * streams))" \
    --connections "$clients" -z 5s
done
for round in $(seq 1 "$ROUNDS"); do
  for c in "${CASES[@]}"; do
    read -r model clients streams <<<"$c"
    inflight=$((clients * streams))
    harness_run() {
      loadgen "$PORT" "$OUT/$model-harness-r$round.json" --model "$model" -c "$inflight" \
        --connections "$clients" -z "${SECS}s" --warmup "${WARMUP}s"
    }
    h2() {
      local failed_before failed_after
      failed_before=$(server_counter "$METRICS_PORT" nv_inference_request_failure "$model")
      h2load_run "$PORT" "$OUT/$model.grpc" "$clients" "$streams" "$SECS" "$OUT/$model-h2load-r$round"
      failed_after=$(server_counter "$METRICS_PORT" nv_inference_request_failure "$model")
      echo "{\"serverFailures\": $((failed_after - failed_before))}" >"$OUT/$model-h2load-r$round.check.json"
    }
    # Odd rounds start with the harness, even rounds with h2load: order effects cancel out.
    if [ $((round % 2)) -eq 1 ]; then harness_run; h2; else h2; harness_run; fi
  done
done

/usr/bin/python3 - "$OUT" "$ROUNDS" <<'PY' | tee "$OUT/summary.md"
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
print("| model | round | harness rps | h2load rps | harness / h2load | h2load server failures |")
print("|---|---|---|---|---|---|")
medians, clients = {}, {}
for model in ("simple", "cls"):
    ratios = []
    for r in range(1, rounds + 1):
        h = json.load(open(f"{out}/{model}-harness-r{r}.json"))
        t = h["tensorgate"]
        clients["harness " + model] = t["client"]["description"]
        errors = h["count"] - h["statusCodeDistribution"].get("OK", 0)
        k = json.load(open(f"{out}/{model}-h2load-r{r}.json"))
        clients["h2load " + model] = k["client"]
        fails = json.load(open(f"{out}/{model}-h2load-r{r}.check.json"))["serverFailures"]
        ratio = t["okRps"] / k["rps"] if k["rps"] else 0
        ratios.append(ratio)
        note = f" ({errors} harness errors)" if errors else ""
        print(f"| {model} | {r} | {t['okRps']:,.0f}{note} | {k['rps']:,.0f} | {ratio:.2f} | {fails} |")
    medians[model] = statistics.median(ratios)
print()
for name, client in clients.items():
    print(f"- {name}: {client}")
print()
for model, m in medians.items():
    print(f"{model}: median harness/h2load {m:.2f} (target >= 0.8: {'met' if m >= 0.8 else 'MISSED'})")
PY
