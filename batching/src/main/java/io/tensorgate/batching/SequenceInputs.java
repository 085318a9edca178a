package io.tensorgate.batching;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The inputs a sequence model gets from the scheduler rather than the client: the control tensors
 * (START, END, READY, CORRID) and the implicit state, one row per batch slot.
 *
 * <p>Controls are shaped {@code [batch, 1]} ({@code [1]} for a model that does not batch) and hold
 * the configured false/true values in the configured type. An empty slot is not ready: all its
 * controls are false, its CORRID 0 and its other inputs zeros, as in Triton's direct strategy. A
 * state input holds zeros on a sequence's START request (and for empty slots), otherwise the state
 * output of the sequence's previous request, which {@link #keepStates} saved; -1 dimensions of a
 * zero state count as 1, as in Triton.
 *
 * <p>Threading: one instance per instance worker, confined to it.
 */
final class SequenceInputs {
  private final List<SequenceConfig.Control> controls;
  private final List<SequenceConfig.State> states;
  private final List<String> stateOutputs;
  private final boolean batching;
  private ByteBuffer[] pool;

  SequenceInputs(SequenceConfig config, boolean batching) {
    this.controls = config.controls();
    this.states = config.states();
    List<String> outputs = new ArrayList<>();
    for (SequenceConfig.State s : states) {
      outputs.add(s.outputName());
    }
    this.stateOutputs = List.copyOf(outputs);
    this.batching = batching;
    this.pool = new ByteBuffer[controls.size() + states.size()];
  }

  /** The state outputs every batch must request. */
  List<String> stateOutputs() {
    return stateOutputs;
  }

  /** Appends the control and state inputs for the plan's slots to {@code inputs}. */
  void append(BatchPlan plan, int rows, List<Tensor> inputs) {
    long[] controlShape = batching ? new long[] {rows, 1} : new long[] {1};
    for (int c = 0; c < controls.size(); c++) {
      inputs.add(control(c, controls.get(c), plan, controlShape));
    }
    for (int s = 0; s < states.size(); s++) {
      inputs.add(state(controls.size() + s, s, plan, rows));
    }
  }

  /** Saves each sequence's state outputs for its next request; forgets them at its END. */
  void keepStates(BatchPlan plan, OutputScatter scatter) {
    if (states.isEmpty()) {
      return;
    }
    for (int i = 0; i < plan.count(); i++) {
      InferenceRequest r = plan.request(i);
      if (r == null) {
        continue;
      }
      ActiveSequence sequence = plan.sequence(i);
      boolean end = r.sequence().end();
      for (int s = 0; s < states.size(); s++) {
        sequence.states[s] = end ? null : scatter.slice(states.get(s).outputName(), i, 1);
      }
    }
  }

  private Tensor control(
      int poolIndex, SequenceConfig.Control control, BatchPlan plan, long[] shape) {
    DataType type = control.dataType();
    boolean strings = type == DataType.BYTES;
    int bytes = 0;
    if (strings) {
      for (int i = 0; i < plan.count(); i++) {
        bytes += Integer.BYTES + correlationString(plan.request(i)).length;
      }
    } else {
      bytes = plan.count() * type.byteSize();
    }
    ByteBuffer buffer = buffer(poolIndex, bytes);
    for (int i = 0; i < plan.count(); i++) {
      InferenceRequest r = plan.request(i);
      if (strings) {
        byte[] value = correlationString(r);
        buffer.putInt(value.length).put(value);
      } else if (control.kind() == SequenceConfig.ControlKind.CORRID) {
        putInteger(buffer, type, r == null ? 0 : r.sequence().numericId());
      } else {
        putNumber(buffer, type, flag(control, r) ? control.trueValue() : control.falseValue());
      }
    }
    buffer.flip();
    return new Tensor(control.name(), type, shape, buffer);
  }

  private static boolean flag(SequenceConfig.Control control, InferenceRequest r) {
    if (r == null) {
      return false;
    }
    switch (control.kind()) {
      case START:
        return r.sequence().start();
      case END:
        return r.sequence().end();
      case READY:
        return true;
      default:
        throw new IllegalArgumentException("not a flag: " + control.kind());
    }
  }

  private static byte[] correlationString(InferenceRequest r) {
    if (r == null) {
      return new byte[0];
    }
    InferenceRequest.SequenceControl c = r.sequence();
    String id = c.stringId() != null ? c.stringId() : Long.toUnsignedString(c.numericId());
    return id.getBytes(StandardCharsets.UTF_8);
  }

  private Tensor state(int poolIndex, int index, BatchPlan plan, int rows) {
    SequenceConfig.State config = states.get(index);
    long[] rowShape = null;
    for (int i = 0; i < plan.count() && rowShape == null; i++) {
      Tensor kept = keptState(plan, i, index);
      if (kept != null) {
        rowShape =
            batching ? Arrays.copyOfRange(kept.shape(), 1, kept.shape().length) : kept.shape();
      }
    }
    if (rowShape == null) {
      rowShape = config.dims().clone();
      for (int d = 0; d < rowShape.length; d++) {
        rowShape[d] = rowShape[d] < 0 ? 1 : rowShape[d];
      }
    }
    long elements = Shapes.elementCount(rowShape);
    int zeroRowBytes =
        Math.toIntExact(
            config.dataType().isFixedSize()
                ? elements * config.dataType().byteSize()
                : elements * Integer.BYTES);
    long total = 0;
    for (int i = 0; i < plan.count(); i++) {
      Tensor kept = keptState(plan, i, index);
      total += kept != null ? kept.byteSize() : zeroRowBytes;
    }
    ByteBuffer buffer = buffer(poolIndex, Math.toIntExact(total));
    for (int i = 0; i < plan.count(); i++) {
      Tensor kept = keptState(plan, i, index);
      if (kept != null) {
        buffer.put(kept.data());
      } else {
        BatchAssembler.putZeros(buffer, zeroRowBytes);
      }
    }
    buffer.flip();
    long[] shape = batching ? Shapes.prepend(rows, rowShape) : rowShape;
    return new Tensor(config.inputName(), config.dataType(), shape, buffer);
  }

  /** The saved state for slot {@code i}, or null where zeros go (empty slot or START). */
  private static Tensor keptState(BatchPlan plan, int i, int index) {
    InferenceRequest r = plan.request(i);
    if (r == null || r.sequence().start()) {
      return null;
    }
    return plan.sequence(i).states[index];
  }

  private ByteBuffer buffer(int index, int bytes) {
    ByteBuffer b = pool[index];
    if (b == null || b.capacity() < bytes) {
      b = ByteBuffer.allocateDirect(Math.max(bytes, b == null ? 64 : 2 * b.capacity()));
      b.order(ByteOrder.LITTLE_ENDIAN);
      pool[index] = b;
    }
    b.clear();
    return b;
  }

  static void putNumber(ByteBuffer b, DataType type, double value) {
    switch (type) {
      case BOOL:
        b.put((byte) (value != 0 ? 1 : 0));
        break;
      case INT8:
      case UINT8:
        b.put((byte) (long) value);
        break;
      case INT16:
      case UINT16:
        b.putShort((short) (long) value);
        break;
      case INT32:
      case UINT32:
        b.putInt((int) (long) value);
        break;
      case INT64:
      case UINT64:
        b.putLong((long) value);
        break;
      case FP16:
        b.putShort(toHalf((float) value));
        break;
      case BF16:
        b.putShort((short) (Float.floatToIntBits((float) value) >>> 16));
        break;
      case FP32:
        b.putFloat((float) value);
        break;
      case FP64:
        b.putDouble(value);
        break;
      default:
        throw new IllegalArgumentException("a control input cannot be " + type);
    }
  }

  /** Writes a correlation id exactly into integer types (a double would round ids past 2^53). */
  private static void putInteger(ByteBuffer b, DataType type, long value) {
    switch (type) {
      case INT8, UINT8 -> b.put((byte) value);
      case INT16, UINT16 -> b.putShort((short) value);
      case INT32, UINT32 -> b.putInt((int) value);
      case INT64, UINT64 -> b.putLong(value);
      default -> putNumber(b, type, (double) value);
    }
  }

  /**
   * IEEE 754 half-precision bits of {@code f}, rounded to nearest, ties to even, as numpy's float16
   * cast (Java 17 has no such method).
   */
  static short toHalf(float f) {
    int bits = Float.floatToIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int magnitude = bits & 0x7fffffff;
    if (magnitude >= 0x7f800000) {
      return (short) (sign | 0x7c00 | (magnitude > 0x7f800000 ? 0x200 : 0));
    }
    if (magnitude >= 0x38800000) {
      int rounded = magnitude + 0xfff + ((magnitude >>> 13) & 1);
      if (rounded >= 0x47800000) {
        return (short) (sign | 0x7c00);
      }
      return (short) (sign | ((rounded - 0x38000000) >>> 13));
    }
    // Below 2^-14 a half is a multiple of 2^-24; scaling by 2^24 is exact and rint ties to even.
    return (short) (sign | (int) Math.rint(Float.intBitsToFloat(magnitude) * 0x1p24f));
  }
}
