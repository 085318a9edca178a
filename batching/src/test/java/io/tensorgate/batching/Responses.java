package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

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

  private synchronized void record(InferenceRequest request, Outcome outcome) {
    if (byId.putIfAbsent(request.id(), outcome) != null) {
      duplicates.incrementAndGet();
    }
    order.add(request.id());
    answers.incrementAndGet();
    notifyAll();
  }

  /** Waits (generously) until {@code n} requests were answered. */
  void awaitAnswers(int n) {
    awaitUntil(() -> answers.get() >= n, n + " answers");
  }

  Outcome awaitOutcome(String id) {
    awaitUntil(() -> byId.containsKey(id), "an answer to " + id);
    return byId.get(id);
  }

  private synchronized void awaitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Wait.BOUND.toNanos();
    try {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + what + " within " + Wait.BOUND);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  List<String> orderList() {
    return List.copyOf(order);
  }
}
