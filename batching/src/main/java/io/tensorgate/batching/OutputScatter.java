package io.tensorgate.batching;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a batch's outputs back into each request's rows, as slices of the backend's buffers (no
 * copy). Fixed-size outputs split into equal rows; BYTES outputs are walked once per batch to find
 * where each row starts.
 *
 * <p>Threading: confined to its instance worker; {@link #begin} starts each batch.
 */
final class OutputScatter {
  private final boolean batching;
  private List<Tensor> outputs = List.of();
  private int batchRows;
  // Per output of the current batch: one view of its data to slice from, and where each row
  // starts (BYTES only), both made on first use.
  private ByteBuffer[] views = new ByteBuffer[0];
  private int[][] rowStarts = new int[0][];

  OutputScatter(boolean batching) {
    this.batching = batching;
  }

  /** Starts scattering the outputs of a batch of {@code batchRows} rows. */
  void begin(List<Tensor> batchOutputs, int batchRows) {
    this.outputs = batchOutputs;
    this.batchRows = batchRows;
    if (rowStarts.length < batchOutputs.size()) {
      rowStarts = new int[batchOutputs.size()][];
      views = new ByteBuffer[batchOutputs.size()];
    }
    Arrays.fill(rowStarts, null);
  }

  /** Forgets the batch's outputs, so that an idle worker keeps no buffer alive. */
  void end() {
    outputs = List.of();
    Arrays.fill(views, null);
  }

  /**
   * The outputs {@code names} for rows {@code [firstRow, firstRow + rows)}, each shaped {@code
   * [rows, ...]} when the model batches.
   *
   * @throws IllegalStateException when the backend did not return a requested output, or returned
   *     one with the wrong number of rows
   */
  List<Tensor> rowsOf(List<String> names, int firstRow, int rows) {
    boolean whole = !batching || (firstRow == 0 && rows == batchRows);
    if (whole && sameNames(names)) {
      return outputs;
    }
    if (names.size() == 1) {
      int index = indexOf(names.get(0));
      return List.of(whole ? outputs.get(index) : slice(index, firstRow, rows));
    }
    Tensor[] result = new Tensor[names.size()];
    for (int i = 0; i < names.size(); i++) {
      int index = indexOf(names.get(i));
      result[i] = whole ? outputs.get(index) : slice(index, firstRow, rows);
    }
    return Arrays.asList(result);
  }

  /** One output's rows {@code [firstRow, firstRow + rows)} as a slice. */
  Tensor slice(String name, int firstRow, int rows) {
    int index = indexOf(name);
    return batching ? slice(index, firstRow, rows) : outputs.get(index);
  }

  private Tensor slice(int index, int firstRow, int rows) {
    Tensor t = outputs.get(index);
    long[] shape = t.shape();
    if (shape.length == 0 || shape[0] != batchRows) {
      throw new IllegalStateException(
          "output '"
              + t.name()
              + "' has shape "
              + io.tensorgate.backend.Shapes.toString(shape)
              + " for a batch of "
              + batchRows);
    }
    int from;
    int to;
    if (t.dataType() == DataType.BYTES) {
      int[] starts = rowStarts(index, t);
      from = starts[firstRow];
      to = starts[firstRow + rows];
    } else {
      int rowBytes = t.byteSize() / batchRows;
      from = firstRow * rowBytes;
      to = from + rows * rowBytes;
    }
    ByteBuffer data = view(index).slice(from, to - from);
    long[] rowShape = shape.clone();
    rowShape[0] = rows;
    return new Tensor(t.name(), t.dataType(), rowShape, data);
  }

  private ByteBuffer view(int index) {
    ByteBuffer view = views[index];
    if (view == null) {
      view = outputs.get(index).data();
      views[index] = view;
    }
    return view;
  }

  private int[] rowStarts(int index, Tensor t) {
    int[] starts = rowStarts[index];
    if (starts != null) {
      return starts;
    }
    long perRow = t.elementCount() / batchRows;
    ByteBuffer data = view(index);
    starts = new int[batchRows + 1];
    int at = 0;
    for (int row = 0; row < batchRows; row++) {
      starts[row] = at;
      for (long e = 0; e < perRow; e++) {
        if (at + Integer.BYTES > data.limit()) {
          throw new IllegalStateException("BYTES output '" + t.name() + "' is truncated");
        }
        int length = data.getInt(at);
        if (length < 0) {
          throw new IllegalStateException("BYTES output '" + t.name() + "' has a negative length");
        }
        at += Integer.BYTES + length;
      }
    }
    if (at > data.limit()) {
      throw new IllegalStateException("BYTES output '" + t.name() + "' is truncated");
    }
    starts[batchRows] = at;
    rowStarts[index] = starts;
    return starts;
  }

  private boolean sameNames(List<String> names) {
    if (names.size() != outputs.size()) {
      return false;
    }
    for (int i = 0; i < names.size(); i++) {
      if (!names.get(i).equals(outputs.get(i).name())) {
        return false;
      }
    }
    return true;
  }

  private int indexOf(String name) {
    for (int i = 0; i < outputs.size(); i++) {
      if (outputs.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("the backend returned no output '" + name + "'");
  }
}
