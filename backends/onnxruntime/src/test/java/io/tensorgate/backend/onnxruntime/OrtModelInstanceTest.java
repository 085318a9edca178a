package io.tensorgate.backend.onnxruntime;

import static io.tensorgate.backend.onnxruntime.TestModels.addSubBatch;
import static io.tensorgate.backend.onnxruntime.TestModels.ints;
import static io.tensorgate.backend.onnxruntime.TestModels.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Execution on add_sub_int32.onnx, Triton's "simple" model; other models in their own tests. */
class OrtModelInstanceTest {
  private final OnnxRuntimeBackendProvider provider = new OnnxRuntimeBackendProvider();
  private Model model;
  private ModelInstance instance;

  @BeforeEach
  void load() throws Exception {
    model = provider.load(TestModels.addSub());
    instance = model.newInstance(InstancePlacement.cpu("add_sub_0"));
  }

  @AfterEach
  void close() {
    instance.close();
    model.close();
  }

  private static void assertSumsAndDifferences(ExecutionResult result, int batchSize) {
    int[] sums = new int[batchSize * 16];
    int[] differences = new int[batchSize * 16];
    for (int i = 0; i < sums.length; i++) {
      sums[i] = i + 1;
      differences[i] = i - 1;
    }
    assertThat(result.outputs()).extracting(Tensor::name).containsExactly("OUTPUT0", "OUTPUT1");
    assertThat(result.outputs())
        .allSatisfy(t -> assertThat(t.shape()).containsExactly(batchSize, 16));
    assertThat(ints(result.outputs().get(0))).containsExactly(sums);
    assertThat(ints(result.outputs().get(1))).containsExactly(differences);
  }

  @ParameterizedTest(name = "batch {0}, direct {1}")
  @CsvSource({"1,true", "1,false", "8,true", "8,false"})
  void shouldComputeSumsAndDifferencesWhenBatched(int batchSize, boolean direct) throws Exception {
    ExecutionResult result =
        instance.execute(addSubBatch(batchSize, direct, List.of("OUTPUT0", "OUTPUT1")));

    assertSumsAndDifferences(result, batchSize);
  }

  @Test
  void shouldComputeCorrectlyWhenHeapBatchesGrowAndShrink() throws Exception {
    instance.execute(addSubBatch(2, false, List.of()));
    instance.execute(addSubBatch(8, false, List.of()));

    ExecutionResult result = instance.execute(addSubBatch(3, false, List.of()));

    assertSumsAndDifferences(result, 3);
  }

  @Test
  void shouldRunFromItsOwnInputBuffersWhenTheSchedulerGatheredInputsThere() throws Exception {
    Batch batch = addSubBatch(4, false, List.of());
    List<Tensor> gathered = new java.util.ArrayList<>();
    for (Tensor t : batch.inputs()) {
      ByteBuffer own = instance.inputBuffer(t.name(), t.byteSize());
      t.copyTo(own);
      gathered.add(new Tensor(t.name(), t.dataType(), t.shape(), own.flip()));
    }

    ExecutionResult result = instance.execute(new Batch(4, gathered, List.of(), 3L));

    assertSumsAndDifferences(result, 4);
  }

  @Test
  void shouldOfferTheSameMemoryForAnInputWhenBatchesRepeat() {
    ByteBuffer first = instance.inputBuffer("INPUT0", 64);
    first.putInt(0, 12345);

    ByteBuffer again = instance.inputBuffer("INPUT0", 64);

    assertThat(again.isDirect()).isTrue();
    assertThat(again.capacity()).isGreaterThanOrEqualTo(64);
    assertThat(again.getInt(0)).isEqualTo(12345);
  }

  @Test
  void shouldComputeFromEverySegmentWhenAnInputArrivedInPieces() throws Exception {
    Batch whole = addSubBatch(2, false, List.of());
    List<Tensor> pieces = new java.util.ArrayList<>();
    for (Tensor t : whole.inputs()) {
      ByteBuffer data = t.data();
      ByteBuffer head = data.duplicate().limit(40);
      ByteBuffer tail = data.duplicate().position(40);
      pieces.add(Tensor.ofSegments(t.name(), t.dataType(), t.shape(), List.of(head, tail)));
    }

    ExecutionResult result = instance.execute(new Batch(2, pieces, List.of()));

    assertSumsAndDifferences(result, 2);
  }

  @Test
  void shouldAnswerEachBatchItsOwnOutputsWhenConsecutiveBatchesAskForDifferentOnes()
      throws Exception {
    instance.execute(addSubBatch(2, true, List.of("OUTPUT1")));
    instance.execute(addSubBatch(2, true, List.of("OUTPUT0", "OUTPUT1")));

    ExecutionResult result = instance.execute(addSubBatch(3, true, List.of("OUTPUT0")));

    assertThat(result.outputs()).extracting(Tensor::name).containsExactly("OUTPUT0");
    assertThat(result.outputs().get(0).shape()).containsExactly(3, 16);
    assertThat(ints(result.outputs().get(0))[5]).isEqualTo(6);
  }

  @Test
  void shouldCopyOutputsWhenTheyAreTooLargeToPin() throws Exception {
    int batchSize = OutputSlot.PIN_LIMIT_BYTES / (16 * Integer.BYTES) + 1;

    ExecutionResult result = instance.execute(addSubBatch(batchSize, true, List.of()));

    assertSumsAndDifferences(result, batchSize);
  }

  @Test
  void shouldFillFixedShapeOutputsWhenTheModelDoesNotBatch() throws Exception {
    try (Model fixed =
            provider.load(
                TestModels.definition(
                    "identity_fp32_fixed.onnx",
                    0,
                    List.of(spec("INPUT0", DataType.FP32, 2, 3)),
                    List.of(spec("OUTPUT0", DataType.FP32, 2, 3)),
                    Map.of()));
        ModelInstance fixedInstance = fixed.newInstance(InstancePlacement.cpu("fixed_0"))) {
      ByteBuffer input = TestModels.buffer(24, false);
      for (int i = 0; i < 6; i++) {
        input.putFloat(i * 0.5f);
      }

      Tensor output =
          fixedInstance
              .execute(
                  new Batch(
                      1,
                      List.of(new Tensor("INPUT0", DataType.FP32, new long[] {2, 3}, input.flip())),
                      List.of("OUTPUT0")))
              .outputs()
              .get(0);

      assertThat(output.shape()).containsExactly(2, 3);
      assertThat(output.data().getFloat(20)).isEqualTo(2.5f);
    }
  }

  @ParameterizedTest(name = "direct {0}")
  @CsvSource({"true", "false"})
  void shouldReadInputsWhenTheirBuffersAreReadOnly(boolean direct) throws Exception {
    Batch writable = addSubBatch(2, direct, List.of());
    List<Tensor> readOnly =
        writable.inputs().stream()
            .map(t -> new Tensor(t.name(), t.dataType(), t.shape(), t.data().asReadOnlyBuffer()))
            .toList();

    ExecutionResult result = instance.execute(new Batch(2, readOnly, List.of()));

    assertSumsAndDifferences(result, 2);
  }

  @Test
  void shouldReturnOnlyTheRequestedOutputWhenASubsetIsRequested() throws Exception {
    ExecutionResult result = instance.execute(addSubBatch(2, true, List.of("OUTPUT1")));

    assertThat(result.outputs()).extracting(Tensor::name).containsExactly("OUTPUT1");
    assertThat(ints(result.outputs().get(0))[5]).isEqualTo(4);
  }

  @Test
  void shouldReturnEveryConfiguredOutputWhenNoneIsRequested() throws Exception {
    ExecutionResult result = instance.execute(addSubBatch(1, true, List.of()));

    assertSumsAndDifferences(result, 1);
  }

  @Test
  void shouldFailTheBatchWhenItRequestsAnOutputTheConfigurationLacks() {
    assertThatThrownBy(() -> instance.execute(addSubBatch(1, true, List.of("OUTPUT9"))))
        .isInstanceOf(BackendException.class)
        .hasMessage("model 'add_sub_int32' has no configured output 'OUTPUT9'");
  }

  @Test
  void shouldReportTimestampsInExecutionOrder() throws Exception {
    long before = System.nanoTime();

    ExecutionTimestamps t = instance.execute(addSubBatch(1, true, List.of())).timestamps();

    assertThat(t.execStart()).isGreaterThanOrEqualTo(before);
    assertThat(t.computeStart()).isGreaterThanOrEqualTo(t.execStart());
    assertThat(t.computeEnd()).isGreaterThanOrEqualTo(t.computeStart());
    assertThat(t.execEnd()).isGreaterThanOrEqualTo(t.computeEnd());
    assertThat(System.nanoTime()).isGreaterThanOrEqualTo(t.execEnd());
  }

  @Test
  void shouldKeepOutputsIntactWhenTheInstanceRunsTheNextBatch() throws Exception {
    ExecutionResult first = instance.execute(addSubBatch(1, true, List.of()));
    int[] before = ints(first.outputs().get(0));

    Batch other =
        new Batch(
            1,
            List.of(
                TestModels.int32Tensor("INPUT0", new long[] {1, 16}, new int[16], true),
                TestModels.int32Tensor("INPUT1", new long[] {1, 16}, new int[16], true)),
            List.of());
    instance.execute(other);

    assertThat(ints(first.outputs().get(0))).containsExactly(before);
  }

  @Test
  void shouldFailTheBatchWithOnnxRuntimesMessageAndRunTheNextWhenAShapeIsWrong() throws Exception {
    long[] wrong = {1, 8};
    Batch bad =
        new Batch(
            1,
            List.of(
                TestModels.int32Tensor("INPUT0", wrong, new int[8], true),
                TestModels.int32Tensor("INPUT1", wrong, new int[8], true)),
            List.of());

    assertThatThrownBy(() -> instance.execute(bad))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("ONNX Runtime failed to run model 'add_sub_int32'")
        .hasMessageContaining("instance 'add_sub_0'")
        .hasMessageContaining("INPUT0");
    assertSumsAndDifferences(instance.execute(addSubBatch(2, true, List.of())), 2);
  }

  @Test
  void shouldFailTheBatchWhenABufferDoesNotHoldItsShape() throws Exception {
    ByteBuffer shortBuffer = TestModels.buffer(8, true);
    Tensor input0 = new Tensor("INPUT0", DataType.INT32, new long[] {1, 16}, shortBuffer);
    Tensor input1 = TestModels.int32Tensor("INPUT1", new long[] {1, 16}, new int[16], true);

    assertThatThrownBy(() -> instance.execute(new Batch(1, List.of(input0, input1), List.of())))
        .isInstanceOf(BackendException.class)
        .hasMessage("input 'INPUT0' has 8 bytes but INT32[1,16] needs 64");
    assertSumsAndDifferences(instance.execute(addSubBatch(1, false, List.of())), 1);
  }

  @Test
  void shouldFeedAndReturnScalarsWhenConfiguredWithDimsOfOne() throws Exception {
    try (Model scalar =
            provider.load(
                TestModels.definition(
                    "scalar_double.onnx",
                    0,
                    List.of(spec("INPUT0", DataType.FP32, 1)),
                    List.of(spec("OUTPUT0", DataType.FP32, 1), spec("RANK", DataType.INT64, 1)),
                    Map.of()));
        ModelInstance scalarInstance = scalar.newInstance(InstancePlacement.cpu("scalar_0"))) {
      ByteBuffer input = TestModels.buffer(4, true).putFloat(0, 3.25f);

      List<Tensor> outputs =
          scalarInstance
              .execute(
                  new Batch(
                      1,
                      List.of(new Tensor("INPUT0", DataType.FP32, new long[] {1}, input)),
                      List.of()))
              .outputs();

      assertThat(outputs).allSatisfy(t -> assertThat(t.shape()).containsExactly(1));
      assertThat(outputs.get(0).data().getFloat(0)).isEqualTo(6.5f);
      assertThat(outputs.get(1).data().getLong(0)).as("rank of the fed input").isZero();
    }
  }
}
