package io.tensorgate.batching;

import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * One batch as the batcher chose it, and its outcome, owned by one instance worker and reused for
 * every batch it runs.
 *
 * <p>The batcher fills the entries while the worker is idle and hands the plan over with the
 * worker's volatile state; from then on only the worker (or, under {@code preserve_ordering}, the
 * thread delivering in order) touches it until the worker is idle again.
 *
 * <p>An entry is one request, occupying {@link #rows(int)} consecutive rows of the batch. Under
 * sequence batching an entry is one batch slot: its request may be null (an empty slot, executed as
 * a not-ready row of zeros) and it carries the slot's sequence.
 */
final class BatchPlan {
  final InferenceRequest[] requests;
  final ActiveSequence[] sequences;
  private final boolean batching;
  private final List<?>[] outputs;
  int count;

  /** Requests among the entries (non-null ones). */
  int requestCount;

  /** Dispatch order of this batch, for ordered delivery. */
  long ordinal;

  /** Set when the whole batch failed; then {@link #outputs} is unused. */
  InferenceError failure;

  ExecutionTimestamps timestamps;

  /** Entries answered so far; -1 before answering began (see {@link InstanceWorker#answer}). */
  int answered = -1;

  BatchPlan(int capacity, boolean batching) {
    this.requests = new InferenceRequest[capacity];
    this.sequences = new ActiveSequence[capacity];
    this.outputs = new List<?>[capacity];
    this.batching = batching;
  }

  /** The batch rows entry {@code i} occupies: its batch size, 1 for an empty slot. */
  int rows(int i) {
    InferenceRequest r = requests[i];
    return batching && r != null ? r.batchSize() : 1;
  }

  /** The batch size: the sum of the entries' rows, 1 for a model that does not batch. */
  int batchSize() {
    int rows = 0;
    for (int i = 0; i < count; i++) {
      rows += rows(i);
    }
    return rows;
  }

  /** The first request of the batch, whose inputs give the shapes of empty slots. */
  InferenceRequest reference() {
    for (int i = 0; i < count; i++) {
      if (requests[i] != null) {
        return requests[i];
      }
    }
    throw new IllegalStateException("a batch without requests");
  }

  /** Whether the batch holds mirrored requests (then only those; see {@link ShapeRule}). */
  boolean mirrored() {
    for (int i = 0; i < count; i++) {
      if (requests[i] != null) {
        return requests[i].mirrored();
      }
    }
    return false;
  }

  void setOutputs(int i, List<Tensor> tensors) {
    outputs[i] = tensors;
  }

  @SuppressWarnings("unchecked") // only setOutputs writes the array
  List<Tensor> outputs(int i) {
    return (List<Tensor>) outputs[i];
  }

  /** Drops every reference, so that an idle worker keeps no request alive. */
  void clear() {
    Arrays.fill(requests, 0, count, null);
    Arrays.fill(sequences, 0, count, null);
    Arrays.fill(outputs, 0, count, null);
    count = 0;
    requestCount = 0;
    failure = null;
    timestamps = null;
    answered = -1;
  }
}
