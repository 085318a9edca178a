package io.tensorgate.server.drift;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelInput;
import io.tensorgate.proto.inference.ModelOutput;
import io.tensorgate.server.observe.TensorValues;
import io.tensorgate.server.repository.DataTypes;
import java.util.ArrayList;
import java.util.List;

/**
 * One monitored distribution: a column of a tensor whose items are vectors of at most {@link
 * #MAX_COLUMNS} values (tabular features, {@code INPUT0[3]}), or every element of any other tensor
 * pooled together ({@code INPUT0}). BYTES tensors are categorical, all others numeric.
 *
 * @param column the column, or -1 for the whole tensor
 */
record Feature(
    String name, String tensor, boolean output, boolean categorical, int column, int width) {
  static final int MAX_COLUMNS = 32;

  /** The features of a model's inputs and outputs, in config order. */
  static List<Feature> of(ModelConfig config) {
    List<Feature> out = new ArrayList<>();
    for (ModelInput in : config.getInputList()) {
      add(out, in.getName(), false, in.getDataType(), in.getDimsList(), config.getMaxBatchSize());
    }
    for (ModelOutput o : config.getOutputList()) {
      add(out, o.getName(), true, o.getDataType(), o.getDimsList(), config.getMaxBatchSize());
    }
    return out;
  }

  private static void add(
      List<Feature> out,
      String tensor,
      boolean output,
      io.tensorgate.proto.inference.DataType type,
      List<Long> dims,
      int maxBatchSize) {
    DataType t = DataTypes.fromConfig(type);
    boolean categorical = t == DataType.BYTES;
    List<Long> item = maxBatchSize > 0 || dims.size() < 2 ? dims : dims.subList(1, dims.size());
    if (!categorical && item.size() == 1 && item.get(0) >= 1 && item.get(0) <= MAX_COLUMNS) {
      int width = item.get(0).intValue();
      for (int c = 0; c < width; c++) {
        out.add(new Feature(tensor + "[" + c + "]", tensor, output, false, c, width));
      }
    } else {
      out.add(new Feature(tensor, tensor, output, categorical, -1, 0));
    }
  }

  /**
   * Copies this feature's values out of a tensor: at most {@code maxValues} per tensor in all, so a
   * column gets its share. Runs on the answering thread.
   *
   * @return {@code double[]} for numeric features, {@code String[]} for categorical ones
   */
  Object extract(Tensor t, int maxValues) {
    if (categorical) {
      return TensorValues.strings(t, maxValues, 256);
    }
    if (t.dataType() == DataType.BYTES) {
      return new double[0];
    }
    if (column < 0) {
      return TensorValues.numbers(t, maxValues);
    }
    int rows = (int) Math.min(t.elementCount() / width, Math.max(1, maxValues / width));
    java.nio.ByteBuffer b = t.data();
    double[] v = new double[rows];
    for (int r = 0; r < rows; r++) {
      v[r] = TensorValues.number(b, t.dataType(), r * width + column);
    }
    return v;
  }
}
