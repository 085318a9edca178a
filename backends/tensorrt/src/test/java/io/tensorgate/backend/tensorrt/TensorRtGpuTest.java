package io.tensorgate.backend.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tensorgate.backend.BackendProvider.Availability;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import io.tensorgate.backend.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.ElementWiseOperation;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend on a real GPU: builds a tiny engine with TensorRT's builder (OUTPUT0 = INPUT0 +
 * INPUT0, FP32 [-1,4], one profile for batch 1..8), then inspects, loads and runs it. Skipped, with
 * the reason, on hosts without a CUDA GPU and TensorRT 10.
 */
class TensorRtGpuTest {
  @TempDir Path dir;

  /** Per test, not in a BeforeAll, so that Surefire counts and reports each skipped test. */
  @BeforeEach
  void needsGpuAndTensorRt() {
    Availability a = new TensorRtBackendProvider().availability();
    assumeTrue(
        a.available(), () -> "skipped: needs a CUDA GPU and TensorRT 10 here: " + a.reason());
  }

  @Test
  void shouldReadTheSignatureWhenInspectingABuiltEngine() throws Exception {
    Path plan = writePlan();

    assertThat(new TensorRtBackendProvider().inspect(plan).inputs())
        .containsExactly(new TensorSpec("INPUT0", DataType.FP32, new long[] {-1, 4}));
  }

  @Test
  void shouldDoubleTheInputsWhenRunningABatch() throws Exception {
    try (Model model = new TensorRtBackendProvider().load(definition(writePlan()));
        ModelInstance instance =
            model.newInstance(new InstancePlacement("m_0_gpu0", InstancePlacement.Kind.GPU, 0))) {
      float[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
      ExecutionResult result =
          instance.execute(
              new Batch(3, List.of(fp32("INPUT0", new long[] {3, 4}, values)), List.of("OUTPUT0")));

      Tensor out = result.outputs().get(0);
      assertThat(out.shape()).containsExactly(3, 4);
      float[] got = new float[12];
      out.data().asFloatBuffer().get(got);
      assertThat(got).containsExactly(2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24);
      assertThat(result.timestamps().computeInputNanos()).isNotNegative();
      assertThat(result.timestamps().computeInferNanos()).isNotNegative();
      assertThat(result.timestamps().computeOutputNanos()).isNotNegative();
    }
  }

  @Test
  void shouldRefuseARequestWhenNoProfileAcceptsItsShape() throws Exception {
    try (Model model = new TensorRtBackendProvider().load(definition(writePlan()))) {
      Tensor tooLarge = fp32("INPUT0", new long[] {9, 4}, new float[36]);

      assertThatThrownBy(() -> model.checkInputs(List.of(tooLarge)))
          .isInstanceOfSatisfying(
              InferenceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }
  }

  @Test
  void shouldBuildAnEngineFromOnnxAndCacheItBesideTheModel() throws Exception {
    Path onnx = Files.createDirectories(dir.resolve("2")).resolve("model.onnx");
    try (var in = getClass().getResourceAsStream("/models/identity_fp32.onnx")) {
      Files.copy(in, onnx);
    }
    ModelDefinition def =
        new ModelDefinition(
            "identity",
            2,
            "tensorrt_plan",
            onnx.getParent(),
            onnx,
            4,
            List.of(new TensorSpec("INPUT0", DataType.FP32, new long[] {8})),
            List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {-1})),
            Map.of());
    float[] values = new float[16];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }

    try (Model model = new TensorRtBackendProvider().load(def);
        ModelInstance instance =
            model.newInstance(new InstancePlacement("id_0_gpu0", InstancePlacement.Kind.GPU, 0))) {
      Tensor out =
          instance
              .execute(
                  new Batch(
                      2, List.of(fp32("INPUT0", new long[] {2, 8}, values)), List.of("OUTPUT0")))
              .outputs()
              .get(0);
      float[] got = new float[16];
      out.data().asFloatBuffer().get(got);
      assertThat(got).containsExactly(values);
    }
    Path plan = onnx.resolveSibling("model.plan");
    assertThat(plan).exists();
    var built = Files.getLastModifiedTime(plan);
    new TensorRtBackendProvider().load(def).close();
    assertThat(Files.getLastModifiedTime(plan)).isEqualTo(built);
  }

  private ModelDefinition definition(Path plan) {
    return new ModelDefinition(
        "doubler",
        1,
        "tensorrt_plan",
        plan.getParent(),
        plan,
        8,
        List.of(new TensorSpec("INPUT0", DataType.FP32, new long[] {4})),
        List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {4})),
        Map.of());
  }

  private static Tensor fp32(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new Tensor(name, DataType.FP32, shape, b);
  }

  private Path writePlan() throws Exception {
    Path file = Files.createDirectories(dir.resolve("1")).resolve("model.plan");
    Files.write(file, buildDoublingEngine());
    return file;
  }

  private static byte[] buildDoublingEngine() {
    TrtLogger logger = new TrtLogger();
    IBuilder builder = createInferBuilder(logger);
    INetworkDefinition network = builder.createNetworkV2(0);
    ITensor input =
        network.addInput(
            "INPUT0", org.bytedeco.tensorrt.global.nvinfer.DataType.kFLOAT, dims(-1, 4));
    ITensor output = network.addElementWise(input, input, ElementWiseOperation.kSUM).getOutput(0);
    output.setName("OUTPUT0");
    network.markOutput(output);
    IOptimizationProfile profile = builder.createOptimizationProfile();
    profile.setDimensions("INPUT0", OptProfileSelector.kMIN, dims(1, 4));
    profile.setDimensions("INPUT0", OptProfileSelector.kOPT, dims(4, 4));
    profile.setDimensions("INPUT0", OptProfileSelector.kMAX, dims(8, 4));
    IBuilderConfig config = builder.createBuilderConfig();
    config.addOptimizationProfile(profile);
    IHostMemory plan = builder.buildSerializedNetwork(network, config);
    try {
      byte[] bytes = new byte[(int) plan.size()];
      new BytePointer(plan.data()).capacity(plan.size()).get(bytes);
      return bytes;
    } finally {
      plan.deallocate();
      config.deallocate();
      network.deallocate();
      builder.deallocate();
      logger.deallocate();
    }
  }

  private static Dims64 dims(long... values) {
    Dims64 d = new Dims64();
    d.nbDims(values.length);
    for (int i = 0; i < values.length; i++) {
      d.d(i, values[i]);
    }
    return d;
  }
}
