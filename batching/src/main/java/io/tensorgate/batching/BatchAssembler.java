package io.tensorgate.batching;

import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Concatenates a plan's request inputs along the batch dimension into the memory the instance
 * offers for them ({@link ModelInstance#inputBuffer}), or else into direct, little-endian buffers
 * that belong to one instance worker and are reused from batch to batch (grown when a batch needs
 * more). Each request byte is copied once, gathered from the segments it arrived in; a lone request
 * whose input is already one direct buffer is passed through without a copy.
 *
 * <p>Ragged inputs ({@code allow_ragged_batch}) are concatenated into a 1-D tensor of all their
 * elements, as Triton's backends expect. Empty sequence slots become rows of zeros shaped like the
 * batch's first request (for BYTES, elements of length 0).
 *
 * <p>Threading: confined to its instance worker.
 */
final class BatchAssembler {
  private final boolean batching;
  private final Set<String> raggedInputs;
  private final SequenceInputs sequenceInputs;
  private final ModelInstance instance;
  private final ArrayList<Tensor> inputs = new ArrayList<>();
  private final ArrayList<String> outputNames = new ArrayList<>();
  private ByteBuffer[] pool = new ByteBuffer[0];
  // Per batch: inputs gathered into the instance's own memory (Batch#inInstanceMemory).
  private long inInstanceMemory;

  /**
   * @param sequenceInputs adds the control and state inputs of a sequence model; null otherwise
   * @param instance the instance the batches run on, asked for its input memory
   */
  BatchAssembler(
      boolean batching,
      Set<String> raggedInputs,
      SequenceInputs sequenceInputs,
      ModelInstance instance) {
    this.batching = batching;
    this.raggedInputs = Objects.requireNonNull(raggedInputs, "raggedInputs");
    this.sequenceInputs = sequenceInputs;
    this.instance = Objects.requireNonNull(instance, "instance");
  }

  Batch assemble(BatchPlan plan) {
    InferenceRequest reference = plan.reference();
    int rows = batching ? plan.batchSize() : 1;
    inputs.clear();
    inInstanceMemory = 0;
    List<Tensor> referenceInputs = reference.inputs();
    boolean passedThrough = true;
    for (int i = 0; i < referenceInputs.size(); i++) {
      Tensor input = input(plan, i, referenceInputs.get(i), rows);
      passedThrough &= input == referenceInputs.get(i);
      inputs.add(input);
    }
    if (sequenceInputs != null) {
      sequenceInputs.append(plan, rows, inputs);
    } else if (passedThrough) {
      // The request's own (immutable) list: Batch keeps it without copying.
      return new Batch(rows, referenceInputs, outputNames(plan));
    }
    return new Batch(rows, inputs, outputNames(plan), inInstanceMemory);
  }

  private Tensor input(BatchPlan plan, int index, Tensor reference, int rows) {
    boolean ragged = batching && raggedInputs.contains(reference.name());
    if (plan.count() == 1 && reference.isDirect()) {
      return ragged ? flattened(reference, reference.data(), reference.elementCount()) : reference;
    }
    int rowBytes = batching ? emptyRowBytes(reference) : 0;
    long total = 0;
    long elements = 0;
    for (int e = 0; e < plan.count(); e++) {
      InferenceRequest r = plan.request(e);
      if (r == null) {
        total += rowBytes;
      } else {
        Tensor t = r.inputs().get(index);
        total += t.byteSize();
        if (ragged) {
          elements += t.elementCount();
        }
      }
    }
    ByteBuffer buffer = target(index, reference.name(), total);
    for (int e = 0; e < plan.count(); e++) {
      InferenceRequest r = plan.request(e);
      if (r == null) {
        putZeros(buffer, rowBytes);
      } else {
        r.inputs().get(index).copyTo(buffer);
      }
    }
    buffer.flip();
    if (ragged) {
      return flattened(reference, buffer, elements);
    }
    long[] shape = reference.shape().clone();
    if (batching) {
      shape[0] = rows;
    }
    return new Tensor(reference.name(), reference.dataType(), shape, buffer);
  }

  private static Tensor flattened(Tensor reference, ByteBuffer data, long elements) {
    return new Tensor(reference.name(), reference.dataType(), new long[] {elements}, data);
  }

  /** The bytes of one row of zeros shaped like a row of {@code reference}. */
  private static int emptyRowBytes(Tensor reference) {
    long rows = reference.shape().length == 0 ? 1 : Math.max(1, reference.shape()[0]);
    if (reference.dataType() == DataType.BYTES) {
      return Math.toIntExact(reference.elementCount() / rows * Integer.BYTES);
    }
    return Math.toIntExact(reference.byteSize() / rows);
  }

  /**
   * The union of the entries' requested outputs (and the state outputs of a sequence model). Every
   * request lists its outputs in the model's order, so a merge that keeps each list's order keeps
   * the model's order wherever the lists say it.
   */
  private List<String> outputNames(BatchPlan plan) {
    List<String> first = plan.reference().requestedOutputs();
    boolean same = sequenceInputs == null || sequenceInputs.stateOutputs().isEmpty();
    for (int e = 0; e < plan.count() && same; e++) {
      InferenceRequest r = plan.request(e);
      same = r == null || r.requestedOutputs() == first || r.requestedOutputs().equals(first);
    }
    if (same) {
      return first;
    }
    outputNames.clear();
    for (int e = 0; e < plan.count(); e++) {
      InferenceRequest r = plan.request(e);
      if (r != null) {
        merge(r.requestedOutputs());
      }
    }
    if (sequenceInputs != null) {
      merge(sequenceInputs.stateOutputs());
    }
    return outputNames;
  }

  /**
   * Adds the names not yet listed: after the name that precedes them in {@code names}, or before
   * the first listed name that follows them, or else at the end.
   */
  private void merge(List<String> names) {
    int insertAt = -1;
    for (int i = 0; i < names.size(); i++) {
      int at = outputNames.indexOf(names.get(i));
      if (at >= 0) {
        insertAt = at + 1;
        continue;
      }
      int position = insertAt;
      for (int j = i + 1; position < 0 && j < names.size(); j++) {
        position = outputNames.indexOf(names.get(j));
      }
      if (position < 0) {
        position = outputNames.size();
      }
      outputNames.add(position, names.get(i));
      insertAt = position + 1;
    }
  }

  /** Where input {@code index} goes: the instance's memory when it offers enough, else the pool. */
  private ByteBuffer target(int index, String name, long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a batched input of " + bytes + " bytes is too large");
    }
    ByteBuffer offered = instance.inputBuffer(name, (int) bytes);
    if (offered != null && offered.capacity() >= bytes) {
      if (index < Long.SIZE) {
        inInstanceMemory |= 1L << index;
      }
      return offered.duplicate().clear();
    }
    return buffer(index, bytes);
  }

  private ByteBuffer buffer(int index, long bytes) {
    if (index >= pool.length) {
      pool = java.util.Arrays.copyOf(pool, index + 1);
    }
    ByteBuffer b = pool[index];
    if (b == null || b.capacity() < bytes) {
      int capacity =
          (int) Math.min(Integer.MAX_VALUE, Math.max(bytes, b == null ? 0 : 2L * b.capacity()));
      b = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
      pool[index] = b;
    }
    b.clear();
    return b;
  }

  static void putZeros(ByteBuffer buffer, int bytes) {
    int left = bytes;
    while (left >= Long.BYTES) {
      buffer.putLong(0L);
      left -= Long.BYTES;
    }
    while (left-- > 0) {
      buffer.put((byte) 0);
    }
  }
}
