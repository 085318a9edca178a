package io.tensorgate.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.Tensor;
import io.tensorgate.backend.TensorSpec;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.tensorgate.server.repository.FuzzModels;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes request decoding and validation ({@link RequestDecoder} with {@link TypedContents}, {@link
 * BytesFraming}, {@link ShmParams} and {@link RequestParameters}) against real model signatures.
 *
 * <p>The property: a request either decodes into tensors whose data matches their shape and
 * datatype, or is refused with an {@link InferenceException} whose code is not INTERNAL. Any other
 * exception, an OutOfMemoryError (e.g. from sizing a buffer from a huge shape) or a hang is a
 * finding. Seeds live in {@code RequestDecoderFuzzTestInputs/<method>/} and replay in every build;
 * {@code JAZZER_FUZZ=1} fuzzes (see scripts/reliability/fuzz.sh).
 */
class RequestDecoderFuzzTest {
  /** Registered regions: {@code r0} maps the whole 256-byte object, {@code r1} 64 bytes of it. */
  static final String[] REGIONS = {"r0", "r1", "unregistered"};

  private static final String[] DATATYPES = {
    "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16",
    "FP32", "FP64", "BF16", "BYTES", "", "fp32"
  };
  private static final String[] PARAM_KEYS = {
    "sequence_id",
    "sequence_start",
    "sequence_end",
    "priority",
    "timeout",
    "tensorgate-routing-key",
    "triton_enable_empty_final_response",
    "triton_other",
    "custom",
    "shared_memory_region",
    "shared_memory_offset",
    "shared_memory_byte_size",
    "classification",
    "binary_data_output"
  };
  private static final long[] INTERESTING = {
    -1,
    0,
    1,
    2,
    3,
    4,
    8,
    9,
    16,
    64,
    255,
    256,
    257,
    Integer.MAX_VALUE,
    1L << 31,
    1L << 32,
    (1L << 61) + 1,
    1L << 62,
    Long.MAX_VALUE,
    Long.MIN_VALUE,
    -2
  };

  @TempDir static Path shmRoot;

  private static List<ModelIo> models;
  private static RequestDecoder decoder;

  @BeforeAll
  static void setUp() throws IOException, InferenceException {
    models = FuzzModels.all();
    Files.write(shmRoot.resolve("fuzz_region"), new byte[256]);
    SharedMemoryRegistry shm = new SharedMemoryRegistry(shmRoot);
    shm.register("r0", "/fuzz_region", 0, 256);
    shm.register("r1", "/fuzz_region", 64, 64);
    decoder = new RequestDecoder(shm);
  }

  /** The wire form: the first byte picks the model, the rest is a serialized ModelInferRequest. */
  @FuzzTest
  void decodeWireRequest(byte[] input) {
    if (input.length == 0) {
      return;
    }
    ModelInferRequest req;
    try {
      req = ModelInferRequest.parser().parseFrom(input, 1, input.length - 1);
    } catch (InvalidProtocolBufferException e) {
      return; // gRPC refuses these before the decoder sees them
    }
    check(req, models.get(Byte.toUnsignedInt(input[0]) % models.size()));
  }

  /** A request built field by field, so that most inputs get past the first checks. */
  @FuzzTest
  void decodeStructuredRequest(FuzzedDataProvider data) {
    ModelIo io = models.get(data.consumeInt(0, models.size() - 1));
    ModelInferRequest req = structuredRequest(data, io);
    check(req, io);
  }

  static ModelInferRequest structuredRequest(FuzzedDataProvider data, ModelIo io) {
    ModelInferRequest.Builder req = ModelInferRequest.newBuilder().setModelName(io.modelName());
    if (data.consumeBoolean()) {
      req.setId(data.consumeString(8));
    }
    int params = data.consumeInt(0, 3);
    for (int i = 0; i < params; i++) {
      req.putParameters(data.pickValue(PARAM_KEYS), parameter(data));
    }
    boolean raw = data.consumeBoolean();
    int inputs = data.consumeInt(0, io.inputCount() + 1);
    for (int i = 0; i < inputs; i++) {
      int idx = data.consumeInt(0, io.inputCount());
      TensorSpec spec = io.input(Math.min(idx, io.inputCount() - 1));
      InferInputTensor.Builder in =
          InferInputTensor.newBuilder()
              .setName(idx < io.inputCount() ? spec.name() : data.consumeString(6))
              .setDatatype(
                  data.consumeBoolean() ? spec.dataType().wireName() : data.pickValue(DATATYPES));
      long[] shape = shape(data, io, spec);
      for (long d : shape) {
        in.addShape(d);
      }
      switch (data.consumeInt(0, 3)) {
        case 0 -> req.addRawInputContents(rawBytes(data, spec, shape));
        case 1 -> in.setContents(contents(data));
        case 2 -> {
          in.putParameters("shared_memory_region", stringParam(data.pickValue(REGIONS)));
          if (data.consumeBoolean()) {
            in.putParameters("shared_memory_offset", int64Param(number(data)));
          }
          in.putParameters("shared_memory_byte_size", parameter(data, number(data)));
        }
        default -> {
          if (raw) {
            req.addRawInputContents(ByteString.copyFrom(data.consumeBytes(64)));
          }
        }
      }
      req.addInputs(in);
    }
    int outputs = data.consumeInt(0, io.outputCount() + 1);
    for (int i = 0; i < outputs; i++) {
      int idx = data.consumeInt(0, io.outputCount());
      InferRequestedOutputTensor.Builder out =
          InferRequestedOutputTensor.newBuilder()
              .setName(idx < io.outputCount() ? io.output(idx).name() : data.consumeString(6));
      int outParams = data.consumeInt(0, 3);
      for (int p = 0; p < outParams; p++) {
        String key = data.pickValue(PARAM_KEYS);
        out.putParameters(
            key,
            key.equals("shared_memory_region")
                ? stringParam(data.pickValue(REGIONS))
                : parameter(data));
      }
      req.addOutputs(out);
    }
    return req.build();
  }

  /** Decodes and checks the property; package-visible for the regression tests beside this one. */
  static void check(ModelInferRequest req, ModelIo io) {
    DecodedRequest decoded;
    try {
      decoded = decoder.decode(req, io, InferenceRequest.builder());
    } catch (InferenceException e) {
      assertThat(e.code().name()).as(e.getMessage()).isNotEqualTo("INTERNAL");
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    if (io.batching()) {
      assertThat(decoded.batchSize()).isBetween(1, io.maxBatchSize());
    }
    assertThat(decoded.requestedOutputs()).isNotEmpty().isSubsetOf(io.allOutputNames());
    for (Tensor t : decoded.inputs()) {
      long elements = Shapes.elementCount(t.shape());
      if (t.dataType().isFixedSize()) {
        assertThat((long) t.byteSize()).isEqualTo(elements * t.dataType().byteSize());
      } else {
        assertThat(countStrings(t.data())).isEqualTo(elements);
      }
    }
  }

  private static long countStrings(ByteBuffer data) {
    ByteBuffer b = data.order(ByteOrder.LITTLE_ENDIAN);
    long n = 0;
    while (b.hasRemaining()) {
      int len = b.getInt();
      b.position(b.position() + len);
      n++;
    }
    return n;
  }

  private static long[] shape(FuzzedDataProvider data, ModelIo io, TensorSpec spec) {
    int offset = io.batching() ? 1 : 0;
    boolean wellFormed = data.consumeBoolean();
    int rank = wellFormed ? spec.rank() + offset : data.consumeInt(0, 5);
    long[] shape = new long[rank];
    for (int i = 0; i < rank; i++) {
      int d = i - offset;
      boolean fixed = wellFormed && d >= 0 && d < spec.rank() && spec.dim(d) != -1;
      shape[i] =
          fixed ? spec.dim(d) : (data.consumeBoolean() ? data.consumeLong(0, 17) : number(data));
    }
    return shape;
  }

  /** Mostly the exact size the shape asks for (so the later checks run), sometimes not. */
  private static ByteString rawBytes(FuzzedDataProvider data, TensorSpec spec, long[] shape) {
    if (spec.dataType().isFixedSize() && data.consumeBoolean()) {
      try {
        long size = Shapes.byteSize(spec.dataType(), shape);
        if (size <= 4096) {
          return ByteString.copyFrom(data.consumeBytes((int) size));
        }
      } catch (ArithmeticException e) {
        // a negative or overflowing shape: send whatever follows
      }
    }
    return ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 512)));
  }

  private static InferTensorContents contents(FuzzedDataProvider data) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    int fields = data.consumeInt(1, 2);
    for (int f = 0; f < fields; f++) {
      int n = data.consumeInt(0, 64);
      switch (data.consumeInt(0, 7)) {
        case 0 -> {
          for (int i = 0; i < n; i++) {
            c.addBoolContents(data.consumeBoolean());
          }
        }
        case 1 -> {
          for (int i = 0; i < n; i++) {
            c.addIntContents(data.consumeInt());
          }
        }
        case 2 -> {
          for (int i = 0; i < n; i++) {
            c.addInt64Contents(data.consumeLong());
          }
        }
        case 3 -> {
          for (int i = 0; i < n; i++) {
            c.addUintContents(data.consumeInt());
          }
        }
        case 4 -> {
          for (int i = 0; i < n; i++) {
            c.addUint64Contents(data.consumeLong());
          }
        }
        case 5 -> {
          for (int i = 0; i < n; i++) {
            c.addFp32Contents(data.consumeFloat());
          }
        }
        case 6 -> {
          for (int i = 0; i < n; i++) {
            c.addFp64Contents(data.consumeDouble());
          }
        }
        default -> {
          for (int i = 0; i < n; i++) {
            c.addBytesContents(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 8))));
          }
        }
      }
    }
    return c.build();
  }

  private static long number(FuzzedDataProvider data) {
    return data.consumeBoolean() ? data.pickValue(INTERESTING) : data.consumeLong();
  }

  private static InferParameter parameter(FuzzedDataProvider data) {
    return parameter(data, number(data));
  }

  private static InferParameter parameter(FuzzedDataProvider data, long value) {
    InferParameter.Builder p = InferParameter.newBuilder();
    switch (data.consumeInt(0, 5)) {
      case 0 -> p.setBoolParam(data.consumeBoolean());
      case 1 -> p.setInt64Param(value);
      case 2 -> p.setStringParam(data.consumeString(8));
      case 3 -> p.setDoubleParam(data.consumeDouble());
      case 4 -> p.setUint64Param(value);
      default -> {
        // no value set
      }
    }
    return p.build();
  }

  static InferParameter stringParam(String s) {
    return InferParameter.newBuilder().setStringParam(s).build();
  }

  static InferParameter int64Param(long v) {
    return InferParameter.newBuilder().setInt64Param(v).build();
  }
}
