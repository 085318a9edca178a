package io.tensorgate.batching;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds test requests: an FP32 input "IN" of {@code [batchSize, width]} with given values. */
final class Requests {
  private Requests() {}

  static InferenceRequest.Builder fp32(String id, ResponseListener listener, float... rowMajor) {
    return batch(id, listener, 1, rowMajor);
  }

  static InferenceRequest.Builder batch(
      String id, ResponseListener listener, int batchSize, float... rowMajor) {
    return InferenceRequest.builder()
        .id(id)
        .inputs(List.of(fp32Tensor("IN", batchSize, rowMajor, false)))
        .requestedOutputs(List.of("OUT"))
        .batchSize(batchSize)
        .listener(listener);
  }

  static Tensor fp32Tensor(String name, int batchSize, float[] values, boolean direct) {
    ByteBuffer b =
        (direct
                ? ByteBuffer.allocateDirect(values.length * 4)
                : ByteBuffer.allocate(values.length * 4))
            .order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    b.flip();
    return new Tensor(name, DataType.FP32, new long[] {batchSize, values.length / batchSize}, b);
  }

  static Tensor bytesTensor(String name, String... rows) {
    int size = 0;
    for (String r : rows) {
      size += 4 + r.getBytes(StandardCharsets.UTF_8).length;
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    for (String r : rows) {
      byte[] bytes = r.getBytes(StandardCharsets.UTF_8);
      b.putInt(bytes.length).put(bytes);
    }
    b.flip();
    return new Tensor(name, DataType.BYTES, new long[] {rows.length, 1}, b);
  }

  static float[] floats(Tensor t) {
    ByteBuffer b = t.data();
    float[] out = new float[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getFloat();
    }
    return out;
  }

  static String[] strings(Tensor t) {
    ByteBuffer b = t.data();
    java.util.List<String> out = new java.util.ArrayList<>();
    while (b.hasRemaining()) {
      byte[] bytes = new byte[b.getInt()];
      b.get(bytes);
      out.add(new String(bytes, StandardCharsets.UTF_8));
    }
    return out.toArray(new String[0]);
  }
}
