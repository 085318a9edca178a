package io.tensorgate.backend.tensorrt;

import static io.tensorgate.backend.tensorrt.StandIns.definition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.tensorgate.backend.ModelDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache of plans built from ONNX models, keyed by everything a plan depends on. */
class OnnxPlansTest {
  private static final String PLAN = "model.nvidia-stand-in-compute-9-0.plan";

  @TempDir Path dir;
  private final StandIns s = new StandIns();
  private OnnxPlans plans;
  private Path onnx;

  @BeforeEach
  void writeOnnx() throws Exception {
    onnx = Files.createDirectories(dir.resolve("m/1")).resolve("model.onnx");
    Files.writeString(onnx, "an ONNX model");
    plans = new OnnxPlans(s.cuda, s.tensorRt, dir.resolve("cache"));
  }

  @Test
  void shouldBuildOnceAndThenUseTheCachedPlanWhenNothingChanged() throws Exception {
    OnnxPlans.Plan built = plans.find(definition(onnx, 8), 0, false);
    OnnxPlans.Plan cached = plans.find(definition(onnx, 8), 0, false);

    assertThat(built).isEqualTo(new OnnxPlans.Plan(onnx.resolveSibling(PLAN), true));
    assertThat(cached).isEqualTo(new OnnxPlans.Plan(onnx.resolveSibling(PLAN), false));
    assertThat(s.tensorRt.builds()).hasSize(1);
  }

  @Test
  void shouldRebuildWhenMaxBatchSizeChanged() throws Exception {
    plans.find(definition(onnx, 8), 0, false);

    assertThat(plans.find(definition(onnx, 4), 0, false).built()).isTrue();
  }

  @Test
  void shouldRebuildWhenAShapeParameterChanged() throws Exception {
    Map<String, String> small =
        Map.of("trt_min_shapes", "INPUT0:1x4", "trt_max_shapes", "INPUT0:8x4");
    Map<String, String> large =
        Map.of("trt_min_shapes", "INPUT0:1x4", "trt_max_shapes", "INPUT0:16x4");
    plans.find(definition(onnx, 8, small), 0, false);

    assertThat(plans.find(definition(onnx, 8, large), 0, false).built()).isTrue();
  }

  @Test
  void shouldRebuildWhenTheTensorRtVersionChanged() throws Exception {
    plans.find(definition(onnx, 8), 0, false);
    s.tensorRt.version(101600);

    assertThat(plans.find(definition(onnx, 8), 0, false).built()).isTrue();
  }

  @Test
  void shouldRebuildWhenTheOnnxModelChanged() throws Exception {
    plans.find(definition(onnx, 8), 0, false);
    Files.writeString(onnx, "an ONNX model, retrained");
    Files.setLastModifiedTime(onnx, FileTime.fromMillis(System.currentTimeMillis() + 5_000));

    assertThat(plans.find(definition(onnx, 8), 0, false).built()).isTrue();
  }

  @Test
  void shouldRebuildWhenAskedToEvenThoughTheKeyMatches() throws Exception {
    plans.find(definition(onnx, 8), 0, false);

    assertThat(plans.find(definition(onnx, 8), 0, true).built()).isTrue();
  }

  @Test
  void shouldKeepOnePlanPerGpuModelWhenDevicesDiffer() throws Exception {
    s.cuda.gpuModel(1, "NVIDIA L4 (compute 8.9)");

    Path gpu0 = plans.find(definition(onnx, 8), 0, false).file();
    Path gpu1 = plans.find(definition(onnx, 8), 1, false).file();

    assertThat(gpu0.getFileName()).hasToString(PLAN);
    assertThat(gpu1.getFileName()).hasToString("model.nvidia-l4-compute-8-9.plan");
    assertThat(plans.find(definition(onnx, 8), 0, false).built()).isFalse();
    assertThat(s.lines()).contains("cudaSetDevice 1");
  }

  @Test
  void shouldStoreTheKeyBesideThePlan() throws Exception {
    Path plan = plans.find(definition(onnx, 8), 0, false).file();

    assertThat(OnnxPlans.keyFile(plan))
        .content()
        .contains(
            "tensorrt: 10.15.1\n",
            "gpu: NVIDIA Stand-In (compute 9.0)\n",
            "build flags: none\n",
            "onnx bytes: 13\n",
            "max_batch_size: 8\n",
            "input INPUT0: FP32 [4]\n",
            "trt_max_shapes: \n");
  }

  @Test
  void shouldBuildIntoTheCacheDirectoryWhenThePlanCannotBeWrittenBesideTheModel() throws Exception {
    // What a read-only folder looks like to root, who may write anywhere: something in the way.
    Files.writeString(Files.createDirectories(onnx.resolveSibling(PLAN)).resolve("x"), "x");

    OnnxPlans.Plan built = plans.find(definition(onnx, 8), 0, false);
    OnnxPlans.Plan again = plans.find(definition(onnx, 8), 0, false);

    assertThat(built.file()).isEqualTo(plans.cacheFolder(onnx).resolve(PLAN));
    assertThat(built.file()).startsWith(dir.resolve("cache")).exists();
    assertThat(again).isEqualTo(new OnnxPlans.Plan(built.file(), false));
  }

  @Test
  void shouldBuildIntoTheCacheDirectoryWhenTheModelFolderIsReadOnly() throws Exception {
    assumeFalse("root".equals(System.getProperty("user.name")), "root may write read-only folders");
    Files.setPosixFilePermissions(onnx.getParent(), PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assertThat(plans.find(definition(onnx, 8), 0, false).file())
          .isEqualTo(plans.cacheFolder(onnx).resolve(PLAN));
    } finally {
      Files.setPosixFilePermissions(onnx.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void shouldNameThePlanAfterTheGpuModel() {
    assertThat(OnnxPlans.planName(Path.of("/r/m/1/net.v2.onnx"), "NVIDIA H200 (compute 9.0)"))
        .isEqualTo("net.v2.nvidia-h200-compute-9-0.plan");
  }

  @Test
  void shouldGiveEachOnnxFileItsOwnCacheFolder() {
    ModelDefinition other = definition(dir.resolve("n/1/model.onnx"), 8);

    assertThat(plans.cacheFolder(onnx)).isNotEqualTo(plans.cacheFolder(other.modelFile()));
  }
}
