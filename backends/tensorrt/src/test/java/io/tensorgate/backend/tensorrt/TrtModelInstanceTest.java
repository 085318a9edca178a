package io.tensorgate.backend.tensorrt;

import static io.tensorgate.backend.tensorrt.StandIns.definition;
import static io.tensorgate.backend.tensorrt.StandIns.floats;
import static io.tensorgate.backend.tensorrt.StandIns.fp32;
import static io.tensorgate.backend.tensorrt.StandIns.gpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import io.tensorgate.backend.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance on the CUDA and TensorRT stand-ins: buffers made once for the largest shapes, a
 * synchronized stream after any failure, output shapes asked once per distinct input shapes.
 */
class TrtModelInstanceTest {
  @TempDir Path dir;
  private final StandIns s = new StandIns();
  private TensorRtBackendProvider provider;
  private Path plan;
  private Model model;

  @BeforeEach
  void writePlan() throws Exception {
    plan = Files.createDirectories(dir.resolve("m/1")).resolve("model.plan");
    TensorRtStandIn.writePlan(plan, "doubler");
    provider = s.provider(dir.resolve("cache"), 1);
  }

  @AfterEach
  void closeModel() {
    if (model != null) {
      model.close();
    }
  }

  private ModelInstance instance(ModelDefinition d) throws BackendException {
    model = provider.load(d);
    return model.newInstance(gpu(0));
  }

  /** A batching configuration for {@link FakeEngines#dynamic}: INPUT0/OUTPUT0 FP32 [-1]. */
  private ModelDefinition dynamicDefinition(int maxBatchSize) {
    return new ModelDefinition(
        "m",
        1,
        "tensorrt_plan",
        plan.getParent(),
        plan,
        maxBatchSize,
        List.of(new TensorSpec("INPUT0", DataType.FP32, new long[] {-1})),
        List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {-1})),
        Map.of());
  }

  private static Batch batch(int rows, int width) {
    float[] values = new float[rows * width];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    return new Batch(
        rows, List.of(fp32("INPUT0", new long[] {rows, width}, values)), List.of("OUTPUT0"));
  }

  @Test
  void shouldDoubleTheInputsWhenRunningABatch() throws Exception {
    try (ModelInstance instance = instance(definition(plan, 8))) {
      Tensor out = instance.execute(batch(3, 4)).outputs().get(0);

      assertThat(out.shape()).containsExactly(3, 4);
      assertThat(floats(out)).containsExactly(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22);
    }
  }

  @Test
  void shouldReportTheStreamsEventTimeAsDeviceTimeWhenRunningABatch() throws Exception {
    try (ModelInstance instance = instance(definition(plan, 8))) {
      // The CUDA stand-in measures 0.5 ms between any two events.
      assertThat(instance.execute(batch(3, 4)).deviceNanos()).isEqualTo(500_000);
    }
  }

  @Test
  void shouldReadAnInputFromPinnedMemoryWithoutCopyingWhenTheBatchWasGatheredThere()
      throws Exception {
    try (ModelInstance instance = instance(definition(plan, 8))) {
      ByteBuffer pinned = instance.inputBuffer("INPUT0", 2 * 4 * Float.BYTES);
      for (int i = 0; i < 8; i++) {
        pinned.putFloat(i);
      }
      // Marked as gathered into the pinned buffer: what the tensor's own buffer holds is not read.
      Tensor marked = fp32("INPUT0", new long[] {2, 4}, new float[] {9, 9, 9, 9, 9, 9, 9, 9});

      Tensor out =
          instance.execute(new Batch(2, List.of(marked), List.of("OUTPUT0"), 1L)).outputs().get(0);

      assertThat(floats(out)).containsExactly(0, 2, 4, 6, 8, 10, 12, 14);
    }
  }

  @Test
  void shouldCopyAnInputIntoPinnedMemoryWhenTheBatchDoesNotMarkIt() throws Exception {
    try (ModelInstance instance = instance(definition(plan, 8))) {
      ByteBuffer pinned = instance.inputBuffer("INPUT0", 2 * 4 * Float.BYTES);
      pinned.putFloat(0, 99f);

      Tensor out = instance.execute(batch(2, 4)).outputs().get(0);

      assertThat(floats(out)).containsExactly(0, 2, 4, 6, 8, 10, 12, 14);
    }
  }

  @Test
  void shouldAllocateBuffersForTheLargestShapeOfEveryProfileWhenCreated() throws Exception {
    s.tensorRt.describing(
        FakeEngines.dynamic(new long[] {1, 1, 8, 1000}, new long[] {1, 1, 2, 9000}));

    try (ModelInstance instance = instance(dynamicDefinition(8))) {
      // Profile 0 allows 8 x 1000 floats (32000 bytes), profile 1 2 x 9000 (72000): room for 72000.
      assertThat(s.lines())
          .filteredOn(l -> l.startsWith("cudaHostAlloc") || l.startsWith("cudaMalloc"))
          .map(l -> l.substring(0, l.indexOf(" -> ")))
          .containsExactly(
              "cudaHostAlloc 131072",
              "cudaMalloc 131072",
              "cudaHostAlloc 131072",
              "cudaMalloc 131072");
    }
  }

  @Test
  void shouldAllocateNothingWhenRunningBatchesOfEverySizeAProfileAllows() throws Exception {
    s.tensorRt.describing(FakeEngines.dynamic(new long[] {1, 1, 8, 64}));
    try (ModelInstance instance = instance(dynamicDefinition(8))) {
      int created = s.lines().size();

      for (int rows = 1; rows <= 8; rows++) {
        instance.execute(batch(rows, 64));
        instance.execute(batch(rows, 1));
      }

      assertThat(s.linesFrom(created))
          .noneMatch(l -> l.startsWith("cudaHostAlloc") || l.startsWith("cudaMalloc"))
          .noneMatch(l -> l.startsWith("cudaFree"));
    }
  }

  @Test
  void shouldGiveAZeroByteTensorAnAddressWhenItHasNoElements() throws Exception {
    s.tensorRt.describing(FakeEngines.dynamic(new long[] {1, 0, 8, 0}));
    try (ModelInstance instance = instance(dynamicDefinition(8))) {
      Tensor out = instance.execute(batch(2, 0)).outputs().get(0);

      assertThat(out.shape()).containsExactly(2, 0);
      assertThat(s.lines()).noneMatch(l -> l.startsWith("setTensorAddress"));
    }
  }

  @Test
  void shouldSynchronizeTheStreamWhenTheEngineCannotBeEnqueued() throws Exception {
    s.tensorRt.refusingEnqueue();
    try (ModelInstance instance = instance(definition(plan, 8))) {
      assertThatThrownBy(() -> instance.execute(batch(2, 4)))
          .isInstanceOf(BackendException.class)
          .hasMessage(
              "instance 'm_0_gpu0' of model 'm': TensorRT could not enqueue the batch"
                  + " (enqueueV3; see its log)");

      assertThat(s.lines()).endsWith("enqueueV3 c3", "cudaStreamSynchronize s1");
    }
  }

  @Test
  void shouldSynchronizeTheStreamWhenCopyingAnOutputBackFails() throws Exception {
    try (ModelInstance instance = instance(definition(plan, 8))) {
      s.cuda.failingOnce("cudaMemcpyAsync d");

      assertThatThrownBy(() -> instance.execute(batch(2, 4))).hasMessageContaining("injected");

      List<String> lines = s.lines();
      assertThat(lines.get(lines.size() - 2)).startsWith("cudaMemcpyAsync d").endsWith("failed");
      assertThat(lines.get(lines.size() - 1)).isEqualTo("cudaStreamSynchronize s1");
    }
  }

  @Test
  void shouldServeTheNextBatchWhenOneFailed() throws Exception {
    try (ModelInstance instance = instance(definition(plan, 8))) {
      s.cuda.failingOnce("cudaMemcpyAsync h");
      assertThatThrownBy(() -> instance.execute(batch(2, 4))).hasMessageContaining("injected");

      Tensor out = instance.execute(batch(1, 4)).outputs().get(0);

      assertThat(floats(out)).containsExactly(0, 2, 4, 6);
    }
  }

  @Test
  void shouldRefuseAnEngineWithADataDependentOutputWhenCreatingAnInstance() throws Exception {
    s.tensorRt.dataDependentOutputs();
    model = provider.load(definition(plan, 8));

    assertThatThrownBy(() -> model.newInstance(gpu(0)))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            "output 'OUTPUT0' of model 'm' has a data-dependent shape [-1,4], which the TensorRT"
                + " backend does not serve");
    model.close();
    assertThat(s.releasesPerObject()).allSatisfy((o, n) -> assertThat(n).as(o).isOne());
  }

  @Test
  void shouldAskTensorRtForOutputShapesOncePerDistinctInputShapes() throws Exception {
    try (ModelInstance instance = instance(definition(plan, 8))) {
      int before = s.tensorRt.shapeQueries();

      for (int rows : new int[] {2, 3, 2, 3, 2, 2}) {
        instance.execute(batch(rows, 4));
      }

      assertThat(s.tensorRt.shapeQueries() - before).isEqualTo(2);
    }
  }

  @Test
  void shouldSwitchToTheProfileThatAcceptsTheBatchWhenTheCurrentOneDoesNot() throws Exception {
    s.tensorRt.describing(FakeEngines.dynamic(new long[] {1, 1, 4, 4}, new long[] {5, 1, 8, 4}));
    try (ModelInstance instance = instance(dynamicDefinition(8))) {
      int created = s.lines().size();

      instance.execute(batch(6, 4));
      instance.execute(batch(7, 4));
      instance.execute(batch(2, 4));

      assertThat(s.linesFrom(created))
          .filteredOn(l -> l.startsWith("setOptimizationProfileAsync"))
          .containsExactly("setOptimizationProfileAsync c3 0");
    }
  }
}
