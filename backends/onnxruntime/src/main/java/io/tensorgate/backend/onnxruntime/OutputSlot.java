package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OnnxJavaType;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.TensorSpec;
import java.util.Objects;

/**
 * How one configured output comes back from ONNX Runtime: copied out of ONNX Runtime's memory, or
 * written by ONNX Runtime straight into a buffer made for the caller ("pinned").
 *
 * <p>An output is pinned when its shape is known before the run (the configured dims are all fixed,
 * so the shape is the batch size followed by them), ONNX Runtime's Java API can create its type,
 * and it is at most {@link #PIN_LIMIT_BYTES}. Immutable.
 */
final class OutputSlot {
  /**
   * Measured with add_sub_int32 on ONNX Runtime 1.23.2, 2 shared cores: pinning both 64-byte
   * outputs took execute() from about 7.5-10 us to 4-5.5 us (median), since ONNX Runtime no longer
   * allocates and wraps its own outputs; at 4 KiB per output the two were even, and at 64 KiB
   * allocating a new direct buffer per batch made the pinned run 3x slower than the copy.
   */
  static final int PIN_LIMIT_BYTES = 4096;

  private final String name;
  private final DataType dataType;
  private final long[] dims;
  private final boolean batching;
  private final boolean scalar;
  private final OnnxJavaType pinnedType;
  private final long bytesPerBatchItem;

  /**
   * @param configured the output as configured (dims without the batch dimension when batching)
   * @param batching whether the model batches
   * @param scalar whether the output is rank 0 in the model (configured as dims of 1)
   */
  OutputSlot(TensorSpec configured, boolean batching, boolean scalar) {
    Objects.requireNonNull(configured, "configured");
    this.name = configured.name();
    this.dataType = configured.dataType();
    this.dims = configured.shape();
    this.batching = batching;
    this.scalar = scalar;
    boolean fixed = dataType.isFixedSize() && !scalar;
    for (long d : dims) {
      fixed &= d >= 0;
    }
    this.pinnedType = fixed ? OrtTypes.bufferJavaType(dataType) : null;
    this.bytesPerBatchItem = pinnedType != null ? Shapes.byteSize(dataType, dims) : -1;
  }

  String name() {
    return name;
  }

  DataType dataType() {
    return dataType;
  }

  /**
   * The type to create a pinned output with; only meaningful when {@link #pinnedShape} is not null.
   */
  OnnxJavaType pinnedType() {
    return pinnedType;
  }

  /** The shape to pin this output with for a batch of {@code batchSize}, or null to copy it. */
  long[] pinnedShape(int batchSize) {
    if (pinnedType == null) {
      return null;
    }
    long bytes = batching ? bytesPerBatchItem * batchSize : bytesPerBatchItem;
    if (bytes > PIN_LIMIT_BYTES) {
      return null;
    }
    return batching ? Shapes.prepend(batchSize, dims) : dims.clone();
  }

  /**
   * The shape to report for an output ONNX Runtime produced with {@code producedShape}: the
   * configured dims for a scalar, which ONNX Runtime returns as rank 0.
   */
  long[] reportedShape(long[] producedShape) {
    return scalar ? dims.clone() : producedShape;
  }
}
