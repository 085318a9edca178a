package io.tensorgate.batching;

import static org.awaitility.Awaitility.await;

import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** A response listener shared by a test's requests: records each outcome and the answer order. */
final class Responses implements ResponseListener {
  /** One answer: outputs on success, error on failure. */
  record Outcome(List<Tensor> outputs, InferenceError error, String thread) {
    boolean ok() {
      return error == null;
    }
  }

  final Map<String, Outcome> byId = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
  final AtomicInteger answers = new AtomicInteger();
  final AtomicInteger duplicates = new AtomicInteger();

  @Override
  public void onSuccess(InferenceRequest request, List<Tensor> outputs) {
    record(request, new Outcome(outputs, null, Thread.currentThread().getName()));
  }

  @Override
  public void onFailure(InferenceRequest request, InferenceError error) {
    record(request, new Outcome(null, error, Thread.currentThread().getName()));
  }

  private void record(InferenceRequest request, Outcome outcome) {
    if (byId.putIfAbsent(request.id(), outcome) != null) {
      duplicates.incrementAndGet();
    }
    order.add(request.id());
    answers.incrementAndGet();
  }

  /** Waits (generously) until {@code n} requests were answered. */
  void awaitAnswers(int n) {
    await().atMost(Duration.ofSeconds(20)).until(() -> answers.get() >= n);
  }

  Outcome awaitOutcome(String id) {
    await().atMost(Duration.ofSeconds(20)).until(() -> byId.containsKey(id));
    return byId.get(id);
  }

  List<String> orderList() {
    return List.copyOf(order);
  }
}
