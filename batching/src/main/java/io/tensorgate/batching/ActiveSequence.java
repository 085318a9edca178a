package io.tensorgate.batching;

import io.tensorgate.backend.Tensor;
import java.util.ArrayDeque;

/**
 * One live sequence of a sequence-batching scheduler (from its START request until its END request
 * is dispatched or it was idle too long).
 *
 * <p>Three owners, each with its own fields: submitting threads update {@link #lastRequestNanos}
 * under the scheduler's sequence registry lock; the batcher thread owns the queue and the slot
 * binding; the worker of the bound instance owns the carried state (every request of a sequence
 * runs on that one instance, one batch at a time).
 */
final class ActiveSequence {
  final Object correlationId;

  /** When the last request of this sequence was submitted; written under the registry lock. */
  volatile long lastRequestNanos;

  // Batcher thread only.
  final ArrayDeque<InferenceRequest> queue = new ArrayDeque<>();
  int instance = -1;
  int slot = -1;
  boolean backlogged;

  /** The registry no longer maps the correlation id here (END submitted, or expired). */
  boolean ended;

  // The bound instance's worker only: the state outputs of the last request, null for zeros.
  final Tensor[] states;

  ActiveSequence(Object correlationId, int stateCount, long now) {
    this.correlationId = correlationId;
    this.states = new Tensor[stateCount];
    this.lastRequestNanos = now;
  }

  boolean bound() {
    return slot >= 0;
  }
}
