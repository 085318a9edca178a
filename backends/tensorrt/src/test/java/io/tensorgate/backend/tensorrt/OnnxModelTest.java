package io.tensorgate.backend.tensorrt;

import static io.tensorgate.backend.tensorrt.StandIns.definition;
import static io.tensorgate.backend.tensorrt.StandIns.gpu;
import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models whose file is ONNX: built into plans per GPU model, rebuilt when the plan is refused. */
class OnnxModelTest {
  @TempDir Path dir;
  private final StandIns s = new StandIns();
  private TensorRtBackendProvider provider;
  private Path onnx;

  @BeforeEach
  void writeOnnx() throws Exception {
    onnx = Files.createDirectories(dir.resolve("m/1")).resolve("model.onnx");
    Files.writeString(onnx, "an ONNX model");
    provider = s.provider(dir.resolve("cache"), 2);
  }

  @Test
  void shouldRebuildTheCachedPlanWhenTensorRtRefusesIt() throws Exception {
    provider.load(definition(onnx, 8)).close();
    Files.writeString(onnx.resolveSibling("model.nvidia-stand-in-compute-9-0.plan"), "damaged");

    provider.load(definition(onnx, 8)).close();

    assertThat(s.tensorRt.builds()).hasSize(2);
  }

  @Test
  void shouldBuildAPlanPerGpuModelWhenInstancesRunOnGpusOfDifferentModels() throws Exception {
    s.cuda.gpuModel(1, "NVIDIA L4 (compute 8.9)");
    try (Model model = provider.load(definition(onnx, 8))) {
      model.newInstance(gpu(0)).close();
      model.newInstance(gpu(1)).close();
    }

    assertThat(s.tensorRt.builds()).hasSize(2);
    assertThat(onnx.resolveSibling("model.nvidia-l4-compute-8-9.plan")).exists();
    assertThat(s.releasesPerObject()).allSatisfy((o, n) -> assertThat(n).as(o).isOne());
  }

  @Test
  void shouldReuseTheBuiltPlanWhenTheModelLoadsAgain() throws Exception {
    provider.load(definition(onnx, 8)).close();

    provider.load(definition(onnx, 8)).close();

    assertThat(s.tensorRt.builds()).hasSize(1);
  }
}
