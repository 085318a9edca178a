package io.tensorgate.loadtest;

import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A transport that holds every call unanswered until the test answers, so in-flight slots stay
 * taken; or, when {@code answerAtOnce}, answers OK inside {@code send}.
 */
final class HeldTransport implements CallTransport {
  final List<Callback> held = new CopyOnWriteArrayList<>();
  final List<Integer> lanes = new CopyOnWriteArrayList<>();
  private final boolean answerAtOnce;
  private volatile CountDownLatch sends = new CountDownLatch(0);

  HeldTransport(boolean answerAtOnce) {
    this.answerAtOnce = answerAtOnce;
  }

  /** A latch counted down by each of the next {@code count} sends. */
  CountDownLatch expectSends(int count) {
    sends = new CountDownLatch(count);
    return sends;
  }

  @Override
  public void send(EncodedRequest request, int lane, Callback callback) {
    lanes.add(lane);
    sends.countDown();
    if (answerAtOnce) {
      callback.onComplete(Status.OK, System.nanoTime());
    } else {
      held.add(callback);
    }
  }

  void answerAll() {
    long now = System.nanoTime();
    List<Callback> answering = List.copyOf(held);
    held.clear();
    answering.forEach(callback -> callback.onComplete(Status.OK, now));
  }

  @Override
  public void cancelAll(Status status) {
    long now = System.nanoTime();
    List<Callback> cancelled = List.copyOf(held);
    held.clear();
    cancelled.forEach(callback -> callback.onComplete(status, now));
  }

  @Override
  public void close() {}
}
