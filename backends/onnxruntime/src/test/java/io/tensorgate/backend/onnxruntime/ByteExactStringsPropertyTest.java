package io.tensorgate.backend.onnxruntime;

import static io.tensorgate.backend.onnxruntime.TestModels.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Random BYTES elements (see {@link AwkwardBytes}) through ONNX Runtime's identity model come back
 * byte for byte. A failure prints the shrunk example and the seed; {@code -DQT_SEED=<seed>} replays
 * it.
 */
class ByteExactStringsPropertyTest {
  private Model model;
  private ModelInstance instance;

  @BeforeEach
  void load() throws BackendException {
    model = new OnnxRuntimeBackendProvider().load(TestModels.identity(DataType.BYTES, true));
    instance = model.newInstance(InstancePlacement.cpu("identity_bytes_0"));
  }

  @AfterEach
  void close() {
    instance.close();
    model.close();
  }

  private byte[] roundTrip(List<byte[]> elements, boolean direct) {
    byte[][] array = elements.toArray(new byte[0][]);
    Tensor input =
        new Tensor(
            "INPUT0",
            DataType.BYTES,
            new long[] {1, array.length},
            TestModels.bytesElements(direct, array));
    try {
      Tensor output = instance.execute(new Batch(1, List.of(input), List.of())).outputs().get(0);
      assertThat(output.shape()).containsExactly(1, array.length);
      return bytes(output);
    } catch (BackendException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void shouldReturnEveryElementUnchangedWhenRandomBytesGoThroughIdentity() {
    qt().withExamples(300)
        .forAll(AwkwardBytes.tensors(40), booleans().all())
        .checkAssert(
            (elements, direct) ->
                assertThat(roundTrip(elements, direct))
                    .containsExactly(
                        bytes(
                            new Tensor(
                                "expected",
                                DataType.BYTES,
                                new long[] {elements.size()},
                                TestModels.bytesElements(
                                    false, elements.toArray(new byte[0][]))))));
  }
}
