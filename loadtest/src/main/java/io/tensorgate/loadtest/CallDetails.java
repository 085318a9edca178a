package io.tensorgate.loadtest;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * ghz's per-call {@code details} (end time, latency, status, error), for {@code -O csv} and {@code
 * --details}: at most {@link #MAX_CALLS} calls, as ghz keeps. Written concurrently by the event
 * loops into preallocated chunks of primitive arrays, so that a call adds no object; read once the
 * run is over.
 */
final class CallDetails {

  /** ghz's limit on kept details. */
  static final int MAX_CALLS = 1_000_000;

  private static final int CHUNK = 1 << 14;

  /** One call as ghz reports it. */
  record Call(long endEpochNanos, long latencyNanos, String status, String error) {}

  private final long epochOffsetNanos;
  private final AtomicLong next = new AtomicLong();
  private final AtomicReferenceArray<Chunk> chunks =
      new AtomicReferenceArray<>((MAX_CALLS + CHUNK - 1) / CHUNK);

  CallDetails() {
    this.epochOffsetNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
  }

  /**
   * Keeps one call, unless {@link #MAX_CALLS} are kept already.
   *
   * @param error the error text, or null for a success
   */
  void add(long endNanos, long latencyNanos, int statusCode, String error) {
    long index = next.getAndIncrement();
    if (index >= MAX_CALLS) {
      return;
    }
    Chunk chunk = chunk((int) (index / CHUNK));
    int i = (int) (index % CHUNK);
    chunk.end[i] = endNanos + epochOffsetNanos;
    chunk.latency[i] = latencyNanos;
    chunk.code[i] = (byte) statusCode;
    chunk.error[i] = error;
    // Published last: a reader after the run sees every filled slot; see calls().
    chunk.filled[i] = true;
  }

  private Chunk chunk(int index) {
    Chunk chunk = chunks.get(index);
    if (chunk == null) {
      chunks.compareAndSet(index, null, new Chunk());
      chunk = chunks.get(index);
    }
    return chunk;
  }

  /**
   * The kept calls in the order they were added. Call after the run, once every writer has finished
   * (the run's end orders the writes before this read).
   */
  List<Call> calls() {
    int size = (int) Math.min(next.get(), MAX_CALLS);
    List<Call> calls = new ArrayList<>(size);
    for (int index = 0; index < size; index++) {
      Chunk chunk = chunks.get(index / CHUNK);
      int i = index % CHUNK;
      if (chunk == null || !chunk.filled[i]) {
        continue;
      }
      calls.add(
          new Call(
              chunk.end[i],
              chunk.latency[i],
              LevelRecorder.statusName(Status.fromCodeValue(chunk.code[i]).getCode()),
              chunk.error[i]));
    }
    return calls;
  }

  private static final class Chunk {
    final long[] end = new long[CHUNK];
    final long[] latency = new long[CHUNK];
    final byte[] code = new byte[CHUNK];
    final String[] error = new String[CHUNK];
    final boolean[] filled = new boolean[CHUNK];
  }
}
