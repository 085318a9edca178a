package io.tensorgate.loadtest;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * The open loop's bound on outstanding requests: a fixed set of in-flight slots. Never blocks: a
 * request that finds no free slot is counted as "client saturated" instead of waiting. Thread-safe.
 */
final class SlotPool {

  private final ArrayBlockingQueue<Integer> free;
  // The same boxed values go back into the queue, so release() does not allocate.
  private final Integer[] boxes;

  SlotPool(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("slot count must be >= 1, got " + size);
    }
    this.free = new ArrayBlockingQueue<>(size);
    this.boxes = new Integer[size];
    for (int i = 0; i < size; i++) {
      boxes[i] = i;
      free.add(boxes[i]);
    }
  }

  int size() {
    return boxes.length;
  }

  /** A free slot, or -1 when all are in use. */
  int tryAcquire() {
    Integer slot = free.poll();
    return slot == null ? -1 : slot;
  }

  void release(int slot) {
    if (!free.offer(boxes[slot])) {
      throw new IllegalStateException("slot " + slot + " released twice");
    }
  }
}
