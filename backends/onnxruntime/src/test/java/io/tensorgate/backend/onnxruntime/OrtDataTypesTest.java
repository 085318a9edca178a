package io.tensorgate.backend.onnxruntime;

import static io.tensorgate.backend.onnxruntime.TestModels.bytes;
import static io.tensorgate.backend.onnxruntime.TestModels.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every datatype through identity models, and the unsigned outputs through casts. */
class OrtDataTypesTest {
  /** The fixed-size types ONNX Runtime's Java API can feed; UINT16/32/64 only come out. */
  private static final List<DataType> FEEDABLE =
      List.of(
          DataType.BOOL,
          DataType.UINT8,
          DataType.INT8,
          DataType.INT16,
          DataType.INT32,
          DataType.INT64,
          DataType.FP16,
          DataType.FP32,
          DataType.FP64,
          DataType.BF16);

  private final OnnxRuntimeBackendProvider provider = new OnnxRuntimeBackendProvider();

  static Stream<Arguments> feedableTypes() {
    List<Arguments> arguments = new ArrayList<>();
    for (DataType type : FEEDABLE) {
      for (boolean batching : new boolean[] {true, false}) {
        for (boolean direct : new boolean[] {true, false}) {
          arguments.add(Arguments.of(type, batching, direct));
        }
      }
    }
    return arguments.stream();
  }

  /** Distinct element bytes; BOOL elements are 0 or 1. */
  private static ByteBuffer pattern(DataType type, int elements, boolean direct) {
    ByteBuffer buffer = TestModels.buffer(elements * type.byteSize(), direct);
    for (int i = 0; i < buffer.capacity(); i++) {
      buffer.put(i, (byte) (type == DataType.BOOL ? i % 2 : 7 * i + 3));
    }
    return buffer;
  }

  private ModelInstance instance(Model model) throws BackendException {
    return model.newInstance(InstancePlacement.cpu(model.definition().name() + "_0"));
  }

  @ParameterizedTest(name = "{0}, batching {1}, direct {2}")
  @MethodSource("feedableTypes")
  void shouldReturnTheSameBytesWhenAnIdentityModelRunsEachType(
      DataType type, boolean batching, boolean direct) throws Exception {
    long[] shape = {3, 5};
    ByteBuffer input = pattern(type, 15, direct);
    byte[] expected = bytes(new Tensor("x", type, shape, input));

    try (Model model = provider.load(TestModels.identity(type, batching));
        ModelInstance instance = instance(model)) {
      Tensor output =
          instance
              .execute(
                  new Batch(
                      batching ? 3 : 1,
                      List.of(new Tensor("INPUT0", type, shape, input)),
                      List.of("OUTPUT0")))
              .outputs()
              .get(0);

      assertThat(output.dataType()).isEqualTo(type);
      assertThat(output.shape()).containsExactly(shape);
      assertThat(bytes(output)).containsExactly(expected);
    }
  }

  @Test
  void shouldReturnAnEmptyTensorWhenADimensionIsZero() throws Exception {
    try (Model model = provider.load(TestModels.identity(DataType.FP32, false));
        ModelInstance instance = instance(model)) {
      Tensor output =
          instance
              .execute(
                  new Batch(
                      1,
                      List.of(
                          new Tensor(
                              "INPUT0",
                              DataType.FP32,
                              new long[] {1, 0},
                              pattern(DataType.FP32, 0, true))),
                      List.of()))
              .outputs()
              .get(0);

      assertThat(output.shape()).containsExactly(1, 0);
      assertThat(output.byteSize()).isZero();
    }
  }

  @Test
  void shouldReturnUnsignedOutputsWhenTheModelCastsToThem() throws Exception {
    ModelDefinition definition =
        TestModels.definition(
            "cast_to_unsigned.onnx",
            0,
            List.of(spec("INPUT0", DataType.INT64, -1)),
            List.of(
                spec("OUT_UINT16", DataType.UINT16, -1),
                spec("OUT_UINT32", DataType.UINT32, -1),
                spec("OUT_UINT64", DataType.UINT64, -1)),
            Map.of());
    ByteBuffer input = TestModels.buffer(16, true).putLong(-1).putLong(7).flip();

    try (Model model = provider.load(definition);
        ModelInstance instance = instance(model)) {
      List<Tensor> outputs =
          instance
              .execute(
                  new Batch(
                      1,
                      List.of(new Tensor("INPUT0", DataType.INT64, new long[] {2}, input)),
                      List.of()))
              .outputs();

      assertThat(outputs)
          .extracting(Tensor::dataType)
          .containsExactly(DataType.UINT16, DataType.UINT32, DataType.UINT64);
      assertThat(outputs.get(0).data().getShort(0)).isEqualTo((short) 0xFFFF);
      assertThat(outputs.get(0).data().getShort(2)).isEqualTo((short) 7);
      assertThat(outputs.get(1).data().getInt(0)).isEqualTo(0xFFFFFFFF);
      assertThat(outputs.get(2).data().getLong(0)).isEqualTo(-1L);
      assertThat(outputs.get(2).data().getLong(8)).isEqualTo(7L);
    }
  }

  @ParameterizedTest(name = "batching {0}, direct {1}")
  @CsvSource({"true,true", "true,false", "false,true", "false,false"})
  void shouldRoundTripStringsIncludingEmptyOnesWhenBytesGoThroughIdentity(
      boolean batching, boolean direct) throws Exception {
    ByteBuffer input =
        TestModels.stringElements(direct, "", "tensor", "", "größe", "\u2713 \u4e2d", "x");
    long[] shape = {2, 3};

    try (Model model = provider.load(TestModels.identity(DataType.BYTES, batching));
        ModelInstance instance = instance(model)) {
      Tensor output =
          instance
              .execute(
                  new Batch(
                      batching ? 2 : 1,
                      List.of(new Tensor("INPUT0", DataType.BYTES, shape, input)),
                      List.of()))
              .outputs()
              .get(0);

      assertThat(output.dataType()).isEqualTo(DataType.BYTES);
      assertThat(output.shape()).containsExactly(shape);
      assertThat(bytes(output))
          .containsExactly(
              bytes(
                  new Tensor(
                      "expected",
                      DataType.BYTES,
                      shape,
                      TestModels.stringElements(
                          true, "", "tensor", "", "größe", "\u2713 \u4e2d", "x"))));
    }
  }

  @Test
  void shouldRejectTheBatchAndRunTheNextWhenBytesAreNotUtf8AndStringsGoThroughJava()
      throws Exception {
    OnnxRuntimeBackendProvider javaStrings =
        new OnnxRuntimeBackendProvider(OrtEnvironment::getEnvironment, JavaStringTensorCodec::new);
    ByteBuffer notUtf8 =
        TestModels.bytesElements(
            true, new byte[] {'o', 'k'}, new byte[] {(byte) 0xFF, (byte) 0xFE});

    try (Model model = javaStrings.load(TestModels.identity(DataType.BYTES, false));
        ModelInstance instance = instance(model)) {
      Batch bad =
          new Batch(
              1,
              List.of(new Tensor("INPUT0", DataType.BYTES, new long[] {1, 2}, notUtf8)),
              List.of());

      assertThatThrownBy(() -> instance.execute(bad))
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("element 1 of input 'INPUT0' is not valid UTF-8");
      ByteBuffer fine = TestModels.stringElements(true, "ok");
      Batch good =
          new Batch(
              1, List.of(new Tensor("INPUT0", DataType.BYTES, new long[] {1, 1}, fine)), List.of());
      assertThat(bytes(instance.execute(good).outputs().get(0)))
          .containsExactly(bytes(new Tensor("x", DataType.BYTES, new long[] {1, 1}, fine)));
    }
  }

  @ParameterizedTest(name = "byte-exact {0}")
  @CsvSource({"true", "false"})
  void shouldRejectABytesBufferWhoseLengthsOverrunIt(boolean byteExact) throws Exception {
    OnnxRuntimeBackendProvider strings =
        byteExact
            ? provider
            : new OnnxRuntimeBackendProvider(
                OrtEnvironment::getEnvironment, JavaStringTensorCodec::new);
    ByteBuffer overrun =
        TestModels.buffer(6, true).putInt(10).put((byte) 'a').put((byte) 'b').flip();

    try (Model model = strings.load(TestModels.identity(DataType.BYTES, false));
        ModelInstance instance = instance(model)) {
      Batch bad =
          new Batch(
              1,
              List.of(new Tensor("INPUT0", DataType.BYTES, new long[] {1, 1}, overrun)),
              List.of());

      assertThatThrownBy(() -> instance.execute(bad))
          .isInstanceOf(BackendException.class)
          .hasMessage(
              "BYTES input 'INPUT0' is malformed: element 0 claims 10 bytes but 2 are left");
    }
  }
}
