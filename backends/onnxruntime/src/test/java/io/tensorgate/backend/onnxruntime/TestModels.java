package io.tensorgate.backend.onnxruntime;

import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.Tensor;
import io.tensorgate.backend.TensorSpec;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The models make_test_models.py writes, and helpers to feed them. */
final class TestModels {
  private TestModels() {}

  static Path path(String fileName) {
    URL url = TestModels.class.getResource("/models/" + fileName);
    if (url == null) {
      throw new IllegalArgumentException("no test model " + fileName);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static TensorSpec spec(String name, DataType type, long... dims) {
    return new TensorSpec(name, type, dims);
  }

  static ModelDefinition definition(
      String fileName,
      int maxBatchSize,
      List<TensorSpec> inputs,
      List<TensorSpec> outputs,
      Map<String, String> parameters) {
    Path file = path(fileName);
    return new ModelDefinition(
        fileName.replace(".onnx", ""),
        1,
        "onnxruntime_onnx",
        file.getParent(),
        file,
        maxBatchSize,
        inputs,
        outputs,
        parameters);
  }

  /** Triton's "simple" configuration for add_sub_int32.onnx: INT32 [16], batching up to 8. */
  static ModelDefinition addSub(Map<String, String> parameters) {
    return definition(
        "add_sub_int32.onnx",
        8,
        List.of(spec("INPUT0", DataType.INT32, 16), spec("INPUT1", DataType.INT32, 16)),
        List.of(spec("OUTPUT0", DataType.INT32, 16), spec("OUTPUT1", DataType.INT32, 16)),
        parameters);
  }

  static ModelDefinition addSub() {
    return addSub(Map.of());
  }

  /** identity_<type>.onnx configured with dims [-1], batching up to 8 when {@code batching}. */
  static ModelDefinition identity(DataType type, boolean batching) {
    long[] dims = batching ? new long[] {-1} : new long[] {-1, -1};
    return definition(
        "identity_" + type.name().toLowerCase(java.util.Locale.ROOT) + ".onnx",
        batching ? 8 : 0,
        List.of(new TensorSpec("INPUT0", type, dims)),
        List.of(new TensorSpec("OUTPUT0", type, dims)),
        Map.of());
  }

  static ByteBuffer buffer(int size, boolean direct) {
    ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    return buffer.order(ByteOrder.LITTLE_ENDIAN);
  }

  static Tensor int32Tensor(String name, long[] shape, int[] values, boolean direct) {
    ByteBuffer buffer = buffer(values.length * Integer.BYTES, direct);
    for (int v : values) {
      buffer.putInt(v);
    }
    return new Tensor(name, DataType.INT32, shape, buffer.flip());
  }

  static int[] ints(Tensor tensor) {
    ByteBuffer data = tensor.data();
    int[] values = new int[data.remaining() / Integer.BYTES];
    for (int i = 0; i < values.length; i++) {
      values[i] = data.getInt();
    }
    return values;
  }

  static byte[] bytes(Tensor tensor) {
    ByteBuffer data = tensor.data();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return bytes;
  }

  /** A BYTES buffer: each element a 4-byte little-endian length, then its bytes. */
  static ByteBuffer bytesElements(boolean direct, byte[]... elements) {
    int size = 0;
    for (byte[] e : elements) {
      size += Integer.BYTES + e.length;
    }
    ByteBuffer buffer = buffer(size, direct);
    for (byte[] e : elements) {
      buffer.putInt(e.length).put(e);
    }
    return buffer.flip();
  }

  static ByteBuffer stringElements(boolean direct, String... strings) {
    byte[][] elements = new byte[strings.length][];
    for (int i = 0; i < strings.length; i++) {
      elements[i] = strings[i].getBytes(StandardCharsets.UTF_8);
    }
    return bytesElements(direct, elements);
  }

  /** A batch of add_sub's two inputs, {@code batchSize} rows of 16: INPUT0 = i, INPUT1 = 1. */
  static Batch addSubBatch(int batchSize, boolean direct, List<String> requestedOutputs) {
    int[] input0 = new int[batchSize * 16];
    int[] input1 = new int[batchSize * 16];
    for (int i = 0; i < input0.length; i++) {
      input0[i] = i;
      input1[i] = 1;
    }
    long[] shape = {batchSize, 16};
    return new Batch(
        batchSize,
        List.of(
            int32Tensor("INPUT0", shape, input0, direct),
            int32Tensor("INPUT1", shape, input1, direct)),
        requestedOutputs);
  }
}
