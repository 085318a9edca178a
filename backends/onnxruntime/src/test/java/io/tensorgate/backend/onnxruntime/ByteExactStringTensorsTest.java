package io.tensorgate.backend.onnxruntime;

import static io.tensorgate.backend.onnxruntime.TestModels.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** BYTES elements that Java strings would alter, through an ONNX identity model, byte for byte. */
class ByteExactStringTensorsTest {
  private final OnnxRuntimeBackendProvider provider = new OnnxRuntimeBackendProvider();
  private Model model;
  private ModelInstance instance;

  @BeforeEach
  void load() throws BackendException {
    model = provider.load(TestModels.identity(DataType.BYTES, false));
    instance = model.newInstance(InstancePlacement.cpu("identity_bytes_0"));
  }

  @AfterEach
  void close() {
    instance.close();
    model.close();
  }

  private byte[] roundTrip(byte[]... elements) throws BackendException {
    Tensor input =
        new Tensor(
            "INPUT0",
            DataType.BYTES,
            new long[] {1, elements.length},
            TestModels.bytesElements(true, elements));
    Tensor output = instance.execute(new Batch(1, List.of(input), List.of())).outputs().get(0);
    assertThat(output.shape()).containsExactly(1, elements.length);
    return bytes(output);
  }

  private static byte[] framed(byte[]... elements) {
    return bytes(
        new Tensor(
            "x",
            DataType.BYTES,
            new long[] {elements.length},
            TestModels.bytesElements(false, elements)));
  }

  @Test
  void shouldReturnTritonsExampleElementUnchangedWhenItHoldsANulByte() throws Exception {
    byte[] hello = {'h', 'e', 0, 'l', 'l', 'o'};

    assertThat(roundTrip(hello)).containsExactly(framed(hello));
  }

  @Test
  void shouldReturnInvalidUtf8FourByteSequencesAndEmptyElementsUnchanged() throws Exception {
    byte[] invalid = {(byte) 0xFF, (byte) 0xFE, (byte) 0xC0, (byte) 0x80, (byte) 0xED, (byte) 0xA0};
    byte[] emoji = "\uD83D\uDE00 ok".getBytes(StandardCharsets.UTF_8);
    byte[] allZero = new byte[7];

    assertThat(roundTrip(invalid, new byte[0], emoji, allZero))
        .containsExactly(framed(invalid, new byte[0], emoji, allZero));
  }

  @Test
  void shouldReturnAnElementLargerThanTheCopyChunkUnchanged() throws Exception {
    byte[] large = new byte[200_000];
    new Random(7).nextBytes(large);
    byte[] small = {0, 1, 2};

    assertThat(roundTrip(small, large, small)).containsExactly(framed(small, large, small));
  }

  @Test
  void shouldReturnEveryElementWhenThereAreMoreThanOneCopyChunkHolds() throws Exception {
    byte[][] elements = new byte[30_000][];
    for (int i = 0; i < elements.length; i++) {
      elements[i] = i % 3 == 0 ? new byte[0] : new byte[] {(byte) i, 0, (byte) (i >> 8)};
    }

    assertThat(roundTrip(elements)).containsExactly(framed(elements));
  }

  /** label_encoder_bytes.onnx: INT64 codes of four byte strings, as the model sees them. */
  private static long[] labels(OnnxRuntimeBackendProvider strings, byte[]... elements)
      throws BackendException {
    ModelDefinition definition =
        TestModels.definition(
            "label_encoder_bytes.onnx",
            0,
            List.of(TestModels.spec("INPUT0", DataType.BYTES, -1)),
            List.of(TestModels.spec("OUTPUT0", DataType.INT64, -1)),
            Map.of());
    try (Model encoder = strings.load(definition);
        ModelInstance run = encoder.newInstance(InstancePlacement.cpu("label_encoder_bytes_0"))) {
      Tensor input =
          new Tensor(
              "INPUT0",
              DataType.BYTES,
              new long[] {elements.length},
              TestModels.bytesElements(true, elements));
      ByteBuffer codes =
          run.execute(new Batch(1, List.of(input), List.of())).outputs().get(0).data();
      long[] out = new long[elements.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = codes.getLong();
      }
      return out;
    }
  }

  @Test
  void shouldLetTheModelSeeEachElementsOwnBytes() throws Exception {
    byte[] hello = {'h', 'e', 0, 'l', 'l', 'o'};
    byte[] emoji = "\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
    byte[] invalid = {(byte) 0xFF, (byte) 0xFE};

    assertThat(labels(provider, hello, emoji, invalid, new byte[0], new byte[] {'x'}))
        .containsExactly(1, 2, 3, 4, -1);
  }

  @Test
  void shouldShowTheModelAReEncodingWhenStringsGoThroughJava() throws Exception {
    OnnxRuntimeBackendProvider javaStrings =
        new OnnxRuntimeBackendProvider(OrtEnvironment::getEnvironment, JavaStringTensorCodec::new);
    byte[] hello = {'h', 'e', 0, 'l', 'l', 'o'};
    byte[] emoji = "\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);

    // Modified UTF-8: the model sees C0 80 for NUL and a surrogate pair for U+1F600.
    assertThat(labels(javaStrings, hello, emoji, new byte[0])).containsExactly(-1, -1, 4);
  }

  @Test
  void shouldAcceptNulBytesAndInvalidUtf8WhenCheckingARequest() {
    Tensor input =
        new Tensor(
            "INPUT0",
            DataType.BYTES,
            new long[] {1, 2},
            TestModels.bytesElements(true, new byte[] {'a', 0}, new byte[] {(byte) 0xFF}));

    assertThatCode(() -> model.checkInputs(List.of(input))).doesNotThrowAnyException();
  }

  @Test
  void shouldRefuseBytesThatFollowTheLastElementAndRunTheNextBatch() throws Exception {
    ByteBuffer trailing =
        TestModels.buffer(7, true).putInt(1).put((byte) 'a').put((byte) 0).put((byte) 0).flip();
    Batch bad =
        new Batch(
            1,
            List.of(new Tensor("INPUT0", DataType.BYTES, new long[] {1, 1}, trailing)),
            List.of());

    assertThatThrownBy(() -> instance.execute(bad))
        .isInstanceOf(BackendException.class)
        .hasMessage("BYTES input 'INPUT0' is malformed: 2 bytes follow its 1 elements");
    assertThat(roundTrip(new byte[] {0})).containsExactly(framed(new byte[] {0}));
  }

  @Test
  void shouldRefuseABufferThatEndsBeforeAnElementsLength() {
    ByteBuffer cut = TestModels.buffer(6, true).putInt(0).put((byte) 1).put((byte) 0).flip();
    Batch bad =
        new Batch(
            1, List.of(new Tensor("INPUT0", DataType.BYTES, new long[] {1, 2}, cut)), List.of());

    assertThatThrownBy(() -> instance.execute(bad))
        .isInstanceOf(BackendException.class)
        .hasMessage("BYTES input 'INPUT0' is malformed: its buffer ends before element 1's length");
  }

  @Test
  void shouldWorkOnTheOnnxRuntimeTheJavaApiLoadedWithoutLoadingASecondCopy() throws IOException {
    Set<String> mapped = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      String[] fields = line.trim().split("\\s+", 6);
      if (fields.length == 6 && fields[5].contains("/libonnxruntime.so")) {
        mapped.add(fields[5]);
      }
    }

    assertThat(mapped).as("files mapped as libonnxruntime.so").hasSize(1);
  }

  @Test
  void shouldRefuseToFindALibraryThatIsNotLoadedRatherThanLoadIt() {
    OrtStringsJni.load();

    assertThatThrownBy(() -> OrtStringsJni.findApi("libtensorgate_absent.so.1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no loaded libtensorgate_absent.so.1 in this process");
  }

  @Test
  void shouldKeepTheInputBufferUnchangedWhenItIsOnTheHeap() throws Exception {
    byte[] element = {'x', 0, (byte) 0xFF};
    ByteBuffer heap = TestModels.bytesElements(false, element);
    byte[] before = Arrays.copyOf(heap.array(), heap.capacity());

    Tensor output =
        instance
            .execute(
                new Batch(
                    1,
                    List.of(new Tensor("INPUT0", DataType.BYTES, new long[] {1, 1}, heap)),
                    List.of()))
            .outputs()
            .get(0);

    assertThat(bytes(output)).containsExactly(framed(element));
    assertThat(heap.array()).containsExactly(before);
  }
}
