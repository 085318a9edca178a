package io.tensorgate.backend.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider.Availability;
import io.tensorgate.backend.CudaSharedMemory;
import io.tensorgate.backend.GpuMonitor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class TensorRtBackendProviderTest {
  private static final String NO_CUDA =
      "the CUDA runtime did not load: libcuda.so.1: cannot open shared object file";

  private static TensorRtBackendProvider withoutCuda() {
    Availability no = Availability.no(NO_CUDA);
    return provider(new NativeProbe.Result(no, no, 0));
  }

  /** A provider that must not reach for CUDA or TensorRT: the probe says it cannot. */
  private static TensorRtBackendProvider provider(NativeProbe.Result probe) {
    return new TensorRtBackendProvider(
        () -> probe,
        () -> {
          throw new AssertionError("CUDA and TensorRT were asked for although unavailable");
        },
        Path.of("/nonexistent/plan-cache"));
  }

  @Test
  void shouldServeTritonsTensorRtPlatform() {
    TensorRtBackendProvider p = withoutCuda();

    assertThat(p.name()).isEqualTo("tensorrt");
    assertThat(p.platforms()).containsExactly("tensorrt_plan");
    assertThat(p.defaultModelFilename()).isEqualTo("model.plan");
  }

  @Test
  void shouldBeFoundByServiceLoader() {
    assertThat(ServiceLoader.load(io.tensorgate.backend.BackendProvider.class).stream())
        .anyMatch(p -> p.type() == TensorRtBackendProvider.class);
  }

  @Test
  void shouldReportTheCudaReasonWhenCudaIsMissing() {
    assertThat(withoutCuda().availability()).isEqualTo(Availability.no(NO_CUDA));
  }

  @Test
  void shouldReportTheTensorRtReasonWhenOnlyTensorRtIsMissing() {
    Availability trt = Availability.no("TensorRT did not load: libnvinfer.so.10: cannot open");
    TensorRtBackendProvider p = provider(new NativeProbe.Result(Availability.yes(), trt, 1));

    assertThat(p.availability()).isEqualTo(trt);
    assertThat(p.cudaSharedMemory().orElseThrow().availability().available()).isTrue();
  }

  @Test
  void shouldRefuseToLoadWithTheReasonWhenUnavailable() {
    assertThatThrownBy(() -> withoutCuda().load(FakeEngines.batchingDefinition(8)))
        .isInstanceOf(BackendException.class)
        .hasMessage(NO_CUDA);
  }

  @Test
  void shouldRefuseToInspectWithTheReasonWhenUnavailable() {
    assertThatThrownBy(() -> withoutCuda().inspect(Path.of("model.plan")))
        .isInstanceOf(BackendException.class)
        .hasMessage(NO_CUDA);
  }

  @Test
  void shouldAskForAConfiguredSignatureWhenInspectingAnOnnxModel() {
    TensorRtBackendProvider available = new StandIns().provider(Path.of("/nonexistent/cache"), 1);

    assertThatThrownBy(() -> available.inspect(Path.of("/r/m/1/model.onnx")))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("must list its inputs and outputs");
  }

  @Test
  void shouldOfferCudaSharedMemoryThatRefusesWithTheReasonWhenCudaIsMissing() {
    CudaSharedMemory cuda = withoutCuda().cudaSharedMemory().orElseThrow();

    assertThat(cuda.availability()).isEqualTo(Availability.no(NO_CUDA));
    assertThat(cuda.deviceCount()).isZero();
    assertThatThrownBy(() -> cuda.open(new byte[CudaSharedMemory.IPC_HANDLE_BYTES], 0, 64))
        .isInstanceOf(BackendException.class)
        .hasMessage(NO_CUDA);
  }

  @Test
  void shouldOfferOneGpuMonitor() {
    TensorRtBackendProvider p = withoutCuda();

    GpuMonitor monitor = p.gpuMonitor().orElseThrow();

    assertThat(p.gpuMonitor()).containsSame(monitor);
  }

  // The tests below use this host's real libraries; on a host with CUDA they are skipped.

  @Test
  void shouldExplainWithTheLoaderMessageWhenThisHostHasNoCuda() {
    Availability real = new TensorRtBackendProvider().availability();
    assumeFalse(real.available(), "this host has CUDA and TensorRT; the missing-library path");

    assertThat(real.reason())
        .satisfiesAnyOf(
            r -> assertThat(r).startsWith("the CUDA runtime did not load: "),
            r -> assertThat(r).startsWith("CUDA "),
            r -> assertThat(r).startsWith("TensorRT did not load: "));
    assertThat(real.reason()).doesNotContain("Could not initialize class");
  }

  @Test
  void shouldNameEveryLibraryThisHostLacksWhenItHasNoCuda() {
    Availability real = new TensorRtBackendProvider().availability();
    assumeFalse(real.available(), "this host has CUDA and TensorRT; the missing-library path");
    List<String> needed = new ArrayList<>(NativeProbe.CUDA_LIBRARIES);
    needed.addAll(NativeProbe.TENSORRT_LIBRARIES);
    List<String> absent =
        needed.stream()
            .filter(name -> LibraryCheck.ofThisHost().missing(List.of(name)).contains(name))
            .toList();
    assumeFalse(absent.isEmpty(), "every library is here; the loader's words say what failed");

    assertThat(real.reason()).contains("; missing here: " + String.join(", ", absent));
    assertThat(real.reason()).doesNotContain("/.javacpp/");
  }

  @Test
  void shouldRepeatTheFirstPreciseReasonWhenAskedByAnotherProvider() {
    Availability first = new TensorRtBackendProvider().availability();
    assumeFalse(first.available(), "this host has CUDA and TensorRT; the missing-library path");

    assertThat(new TensorRtBackendProvider().availability()).isEqualTo(first);
  }

  @Test
  void shouldReadNoGpusWhenThisHostHasNoNvml() {
    try (GpuMonitor monitor = new NvmlGpuMonitor(NativeProbe::result)) {
      assumeFalse(monitor.availability().available(), "this host has NVML");

      assertThat(monitor.availability().reason())
          .startsWith("NVML did not load")
          .doesNotContain("Could not initialize class")
          .doesNotContain("Exception java.lang");
      assertThat(monitor.read()).isEmpty();
    }
  }
}
