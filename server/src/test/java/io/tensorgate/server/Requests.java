package io.tensorgate.server;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds requests and reads responses in tests. */
public final class Requests {
  private Requests() {}

  /** A raw INT32 tensor's bytes, little-endian. */
  public static ByteString int32s(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return ByteString.copyFrom(b.flip());
  }

  public static int[] readInt32s(ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int[] out = new int[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getInt();
    }
    return out;
  }

  public static float[] readFloats(ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getFloat();
    }
    return out;
  }

  /** Encodes BYTES elements: 4-byte little-endian length, then the bytes. */
  public static ByteString bytesTensor(byte[]... elements) {
    int n = 0;
    for (byte[] e : elements) {
      n += 4 + e.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] e : elements) {
      b.putInt(e.length).put(e);
    }
    return ByteString.copyFrom(b.flip());
  }

  public static int[] range(int from, int count) {
    int[] a = new int[count];
    for (int i = 0; i < count; i++) {
      a[i] = from + i;
    }
    return a;
  }

  /** A raw request for the sample model {@code simple}: [batch,16] INT32 twice. */
  public static ModelInferRequest simple(int batch) {
    int[] a = range(0, 16 * batch);
    int[] b = new int[16 * batch];
    java.util.Arrays.fill(b, 1);
    return ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(input("INPUT0", "INT32", batch, 16))
        .addInputs(input("INPUT1", "INT32", batch, 16))
        .addRawInputContents(int32s(a))
        .addRawInputContents(int32s(b))
        .build();
  }

  /** A raw request for a gate-backend model: INPUT0 [1,16] INT32 holding {@code value}. */
  public static ModelInferRequest gate(String model, int value) {
    int[] a = new int[16];
    java.util.Arrays.fill(a, value);
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input("INPUT0", "INT32", 1, 16))
        .addRawInputContents(int32s(a))
        .build();
  }

  /** A request for {@code simple} with typed {@code int_contents}. */
  public static ModelInferRequest simpleTyped(int[] a, int[] b) {
    ModelInferRequest.Builder r = ModelInferRequest.newBuilder().setModelName("simple");
    r.addInputs(input("INPUT0", "INT32", 1, 16).toBuilder().setContents(ints(a)));
    r.addInputs(input("INPUT1", "INT32", 1, 16).toBuilder().setContents(ints(b)));
    return r.build();
  }

  private static InferTensorContents ints(int[] v) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (int x : v) {
      c.addIntContents(x);
    }
    return c.build();
  }

  public static ModelInferRequest.InferInputTensor input(String name, String type, long... shape) {
    ModelInferRequest.InferInputTensor.Builder b =
        ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(type);
    for (long d : shape) {
      b.addShape(d);
    }
    return b.build();
  }

  /** The raw contents of the output called {@code name}. */
  public static ByteString output(ModelInferResponse r, String name) {
    for (int i = 0; i < r.getOutputsCount(); i++) {
      if (r.getOutputs(i).getName().equals(name)) {
        return r.getRawOutputContents(i);
      }
    }
    throw new AssertionError("no output " + name + " in " + r.getOutputsList());
  }
}
