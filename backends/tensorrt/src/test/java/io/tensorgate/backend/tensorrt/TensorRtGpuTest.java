package io.tensorgate.backend.tensorrt;

import static io.tensorgate.backend.tensorrt.StandIns.floats;
import static io.tensorgate.backend.tensorrt.StandIns.fp32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvinfer.ElementWiseOperation;
import org.bytedeco.tensorrt.global.nvinfer.MatrixOperation;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvinfer.Weights;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend on a real GPU: builds tiny engines with TensorRT's builder (OUTPUT0 = INPUT0 +
 * INPUT0, FP32 [-1,4]; and a 16 MiB matrix product), then inspects, loads, runs, reloads and
 * releases them. Skipped, with the reason, on hosts without a CUDA GPU and TensorRT 10.15+; with
 * {@code -Dtensorgate.requireGpu=true} (what {@code scripts/gpu-check} passes) it fails there
 * instead, so a GPU host that cannot run it never passes silently.
 */
class TensorRtGpuTest {
  /** The system property that turns the skip into a failure. */
  static final String REQUIRE_GPU = "tensorgate.requireGpu";

  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  /** Per test, not in a BeforeAll, so that Surefire counts and reports each skipped test. */
  @BeforeEach
  void needsGpuAndTensorRt() {
    Availability a = new TensorRtBackendProvider().availability();
    if (Boolean.getBoolean(REQUIRE_GPU)) {
      assertThat(a.available())
          .as("-D%s=true, but the TensorRT backend is unavailable: %s", REQUIRE_GPU, a.reason())
          .isTrue();
    }
    assumeTrue(
        a.available(), () -> "skipped: needs a CUDA GPU and TensorRT 10.15+ here: " + a.reason());
  }

  @Test
  void shouldReadTheSignatureWhenInspectingABuiltEngine() throws Exception {
    Path plan = writePlan("1", TensorRtGpuTest::doubling);

    assertThat(new TensorRtBackendProvider().inspect(plan).inputs())
        .containsExactly(new TensorSpec("INPUT0", DataType.FP32, new long[] {-1, 4}));
  }

  @Test
  void shouldDoubleTheInputsWhenRunningABatch() throws Exception {
    try (Model model =
            new TensorRtBackendProvider()
                .load(definition(writePlan("1", TensorRtGpuTest::doubling), 4, 4));
        ModelInstance instance = model.newInstance(gpu0())) {
      float[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
      ExecutionResult result =
          instance.execute(
              new Batch(3, List.of(fp32("INPUT0", new long[] {3, 4}, values)), List.of("OUTPUT0")));

      Tensor out = result.outputs().get(0);
      assertThat(out.shape()).containsExactly(3, 4);
      assertThat(floats(out)).containsExactly(2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24);
      assertThat(result.timestamps().computeInputNanos()).isNotNegative();
      assertThat(result.timestamps().computeInferNanos()).isNotNegative();
      assertThat(result.timestamps().computeOutputNanos()).isNotNegative();
      assertThat(result.deviceNanos()).isPositive();
    }
  }

  @Test
  void shouldRefuseARequestWhenNoProfileAcceptsItsShape() throws Exception {
    try (Model model =
        new TensorRtBackendProvider()
            .load(definition(writePlan("1", TensorRtGpuTest::doubling), 4, 4))) {
      Tensor tooLarge = fp32("INPUT0", new long[] {9, 4}, new float[36]);

      assertThatThrownBy(() -> model.checkInputs(List.of(tooLarge)))
          .isInstanceOfSatisfying(
              InferenceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }
  }

  @Test
  void shouldGiveDeviceMemoryBackWhenModelsAreLoadedRunAndClosedRepeatedly() throws Exception {
    ModelDefinition def = definition(writePlan("1", TensorRtGpuTest::wide), 1024, 4096);
    TensorRtBackendProvider provider = new TensorRtBackendProvider();
    float[] row = new float[2 * 1024];
    Batch batch =
        new Batch(2, List.of(fp32("INPUT0", new long[] {2, 1024}, row)), List.of("OUTPUT0"));
    for (int i = 0; i < 3; i++) {
      cycle(provider, def, batch);
    }
    long before = freeDeviceMemory();

    for (int i = 0; i < 20; i++) {
      cycle(provider, def, batch);
    }

    // Leaking would cost at least the 16 MiB of weights per cycle: 320 MiB.
    assertThat(before - freeDeviceMemory()).isLessThan(64 * MIB);
  }

  @Test
  void shouldRegisterTensorRtsStandardPlugins() {
    NativeProbe.logger();

    assertThat(nvinfer.getPluginRegistry().getCreator("EfficientNMS_TRT", "1")).isNotNull();
  }

  @Test
  void shouldBuildAnEngineFromOnnxAndCacheItWithItsKeyBesideTheModel() throws Exception {
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
        ModelInstance instance = model.newInstance(gpu0())) {
      Tensor out =
          instance
              .execute(
                  new Batch(
                      2, List.of(fp32("INPUT0", new long[] {2, 8}, values)), List.of("OUTPUT0")))
              .outputs()
              .get(0);
      assertThat(floats(out)).containsExactly(values);
    }
    Path plan;
    try (Stream<Path> files = Files.list(onnx.getParent())) {
      plan = files.filter(p -> p.toString().endsWith(".plan")).findFirst().orElseThrow();
    }
    assertThat(OnnxPlans.keyFile(plan)).content().contains("max_batch_size: 4\n");
    var built = Files.getLastModifiedTime(plan);
    new TensorRtBackendProvider().load(def).close();
    assertThat(Files.getLastModifiedTime(plan)).isEqualTo(built);
  }

  private static void cycle(TensorRtBackendProvider provider, ModelDefinition def, Batch batch)
      throws Exception {
    try (Model model = provider.load(def);
        ModelInstance instance = model.newInstance(gpu0())) {
      assertThat(instance.execute(batch).outputs().get(0).shape()).containsExactly(2, 4096);
    }
  }

  private static long freeDeviceMemory() throws Exception {
    Cuda.setDevice(0);
    try (SizeTPointer free = new SizeTPointer(1);
        SizeTPointer total = new SizeTPointer(1)) {
      Cuda.check(cudaMemGetInfo(free, total), "cudaMemGetInfo");
      return free.get();
    }
  }

  private static InstancePlacement gpu0() {
    return new InstancePlacement("m_0_gpu0", InstancePlacement.Kind.GPU, 0);
  }

  private static ModelDefinition definition(Path plan, long inWidth, long outWidth) {
    return new ModelDefinition(
        "m",
        1,
        "tensorrt_plan",
        plan.getParent(),
        plan,
        8,
        List.of(new TensorSpec("INPUT0", DataType.FP32, new long[] {inWidth})),
        List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {outWidth})),
        Map.of());
  }

  /** Defines a network's layers, owning what must live until the build; returns the input width. */
  @FunctionalInterface
  private interface Layers {
    long define(INetworkDefinition network, ReleaseStack owned);
  }

  private Path writePlan(String version, Layers network) throws Exception {
    Path file = Files.createDirectories(dir.resolve(version)).resolve("model.plan");
    Files.write(file, build(network));
    return file;
  }

  /** OUTPUT0 = INPUT0 + INPUT0, FP32 [-1,4]. */
  private static long doubling(INetworkDefinition network, ReleaseStack owned) {
    ITensor input = network.addInput("INPUT0", nvinfer.DataType.kFLOAT, dims(-1, 4));
    ITensor output = network.addElementWise(input, input, ElementWiseOperation.kSUM).getOutput(0);
    output.setName("OUTPUT0");
    network.markOutput(output);
    return 4;
  }

  /** OUTPUT0 = INPUT0 x W, FP32 [-1,1024] x [1024,4096]: 16 MiB of weights on the GPU. */
  private static long wide(INetworkDefinition network, ReleaseStack owned) {
    ITensor input = network.addInput("INPUT0", nvinfer.DataType.kFLOAT, dims(-1, 1024));
    FloatPointer values = new FloatPointer(1024L * 4096);
    owned.push("the weights", values::close);
    Weights w = new Weights().type(nvinfer.DataType.kFLOAT).values(values).count(1024L * 4096);
    ITensor weights = network.addConstant(dims(1024, 4096), w).getOutput(0);
    ITensor output =
        network
            .addMatrixMultiply(input, MatrixOperation.kNONE, weights, MatrixOperation.kNONE)
            .getOutput(0);
    output.setName("OUTPUT0");
    network.markOutput(output);
    return 1024;
  }

  /** Builds a plan with one profile for batch 1..8; every builder object is deleted after. */
  private static byte[] build(Layers layers) {
    try (ReleaseStack owned = new ReleaseStack()) {
      IBuilder builder = own(owned, createInferBuilder(NativeProbe.logger()));
      INetworkDefinition network = own(owned, builder.createNetworkV2(0));
      long width = layers.define(network, owned);
      IOptimizationProfile profile = builder.createOptimizationProfile();
      profile.setDimensions("INPUT0", OptProfileSelector.kMIN, dims(1, width));
      profile.setDimensions("INPUT0", OptProfileSelector.kOPT, dims(4, width));
      profile.setDimensions("INPUT0", OptProfileSelector.kMAX, dims(8, width));
      IBuilderConfig config = own(owned, builder.createBuilderConfig());
      config.addOptimizationProfile(profile);
      IHostMemory plan = own(owned, builder.buildSerializedNetwork(network, config));
      byte[] bytes = new byte[(int) plan.size()];
      new BytePointer(plan.data()).capacity(plan.size()).get(bytes);
      return bytes;
    }
  }

  private static <T extends Pointer> T own(ReleaseStack owned, T object) {
    long address = object.address();
    owned.push("a TensorRT builder object", () -> CppDelete.delete(address, CppDelete.NO_COPY));
    return object;
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
