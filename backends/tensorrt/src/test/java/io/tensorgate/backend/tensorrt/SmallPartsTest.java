package io.tensorgate.backend.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.GpuMonitor.Reading;
import io.tensorgate.backend.InstancePlacement;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The backend's small pure helpers: buffer growth, timestamps, placement, messages, readings. */
class SmallPartsTest {
  @Nested
  class StagingCapacityTest {
    @Test
    void shouldKeepTheCapacityWhenItIsEnough() {
      assertThat(StagingCapacity.next(4096, 4096)).isEqualTo(4096);
      assertThat(StagingCapacity.next(4096, 10)).isEqualTo(4096);
    }

    @Test
    void shouldGrowToTheNextPowerOfTwoWhenTooSmall() {
      assertThat(StagingCapacity.next(0, 1)).isEqualTo(StagingCapacity.MIN_BYTES);
      assertThat(StagingCapacity.next(0, 1000)).isEqualTo(1024);
      assertThat(StagingCapacity.next(1024, 1025)).isEqualTo(2048);
      assertThat(StagingCapacity.next(0, 4096)).isEqualTo(4096);
    }

    @Test
    void shouldGrowToExactlyTheNeedWhenItIsLarge() {
      long large = StagingCapacity.EXACT_ABOVE + 1;
      assertThat(StagingCapacity.next(0, large)).isEqualTo(large);
    }

    @Test
    void shouldRefuseANegativeNeed() {
      assertThatThrownBy(() -> StagingCapacity.next(0, -1))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class GpuTimelineTest {
    @Test
    void shouldLayTheGpuPhasesOutFromTheFirstCopy() {
      ExecutionTimestamps t = GpuTimeline.timestamps(1_000, 1_500, 0.002f, 0.010f, 100_000);

      assertThat(t.execStart()).isEqualTo(1_000);
      assertThat(t.computeStart()).isEqualTo(3_500);
      assertThat(t.computeEnd()).isEqualTo(13_500);
      assertThat(t.execEnd()).isEqualTo(100_000);
    }

    @Test
    void shouldClampThePhasesWhenTheyWouldPassTheEnd() {
      ExecutionTimestamps t = GpuTimeline.timestamps(1_000, 1_500, 1f, 5f, 50_000);

      assertThat(t.computeStart()).isEqualTo(50_000);
      assertThat(t.computeEnd()).isEqualTo(50_000);
      assertThat(t.computeInputNanos()).isNotNegative();
      assertThat(t.computeOutputNanos()).isZero();
    }

    @Test
    void shouldIgnoreNegativeDurations() {
      ExecutionTimestamps t = GpuTimeline.timestamps(1_000, 1_500, -1f, -1f, 5_000);

      assertThat(t.computeStart()).isEqualTo(1_500);
      assertThat(t.computeEnd()).isEqualTo(1_500);
    }
  }

  @Nested
  class PlacementsTest {
    @Test
    void shouldUseThePlacementGpuWhenTheHostHasIt() throws Exception {
      InstancePlacement p = new InstancePlacement("m_0_gpu1", InstancePlacement.Kind.GPU, 1);

      assertThat(Placements.deviceFor("m", p, 2)).isEqualTo(1);
    }

    @Test
    void shouldUseGpuZeroWhenTheModelPlacesItself() throws Exception {
      InstancePlacement p = new InstancePlacement("m_0", InstancePlacement.Kind.MODEL, -1);

      assertThat(Placements.deviceFor("m", p, 1)).isZero();
    }

    @Test
    void shouldRefuseACpuPlacement() {
      assertThatThrownBy(() -> Placements.deviceFor("m", InstancePlacement.cpu("m_0"), 1))
          .isInstanceOf(BackendException.class)
          .hasMessage(
              "instance 'm_0' of model 'm' is KIND_CPU, but TensorRT engines run on GPUs only;"
                  + " use KIND_GPU");
    }

    @Test
    void shouldRefuseAGpuTheHostDoesNotHave() {
      InstancePlacement p = new InstancePlacement("m_0_gpu2", InstancePlacement.Kind.GPU, 2);

      assertThatThrownBy(() -> Placements.deviceFor("m", p, 2))
          .isInstanceOf(BackendException.class)
          .hasMessage(
              "instance 'm_0_gpu2' of model 'm' asks for GPU 2, but this host has 2 CUDA devices"
                  + " (0..1)");
    }
  }

  @Nested
  class LoadFailuresTest {
    @Test
    void shouldUseTheInnermostMessageWithoutThePathWhenTheLoaderWrapsIt() {
      UnsatisfiedLinkError outer = new UnsatisfiedLinkError("no jnicudart in java.library.path");
      outer.initCause(
          new UnsatisfiedLinkError(
              "/tmp/libjnicudart.so: libcuda.so.1: cannot open shared object file"));

      assertThat(LoadFailures.describe(outer))
          .isEqualTo("libcuda.so.1: cannot open shared object file");
    }

    @Test
    void shouldNameEveryMissingLibraryWhenSomethingDidNotLoad() {
      UnsatisfiedLinkError e =
          new UnsatisfiedLinkError(
              "/c/libjnicublas.so: libcublas.so.13: cannot open shared object");

      assertThat(
              LoadFailures.unavailable(
                  "TensorRT", e, List.of("libcublas.so.13", "libcudnn_ops.so.9")))
          .isEqualTo(
              "TensorRT did not load: libcublas.so.13: cannot open shared object; missing here:"
                  + " libcublas.so.13, libcudnn_ops.so.9");
    }

    @Test
    void shouldNameTheErrorClassWhenThereIsNoMessage() {
      assertThat(LoadFailures.describe(new NoClassDefFoundError()))
          .isEqualTo("java.lang.NoClassDefFoundError");
    }
  }

  @Nested
  class GpuReadingsTest {
    @Test
    void shouldDecodeNulTerminatedTextAndScaleUtilization() {
      byte[] uuid = Arrays.copyOf("GPU-1234".getBytes(StandardCharsets.UTF_8), 80);
      byte[] name = Arrays.copyOf("NVIDIA H200".getBytes(StandardCharsets.UTF_8), 96);

      Reading r = GpuReadings.reading(0, uuid, name, 1L << 30, 8L << 30, 37);

      assertThat(r).isEqualTo(new Reading(0, "GPU-1234", "NVIDIA H200", 1L << 30, 8L << 30, 0.37));
    }

    @Test
    void shouldClampUtilizationOutsideZeroToHundred() {
      byte[] empty = new byte[4];

      assertThat(GpuReadings.reading(0, empty, empty, 0, 0, 250).utilization()).isEqualTo(1.0);
      assertThat(GpuReadings.reading(0, empty, empty, 0, 0, -3).utilization()).isEqualTo(0.0);
    }
  }
}
