package io.tensorgate.server.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.proto.inference.ModelInstanceGroup;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelLoaderPlacementsTest {
  private static ModelInstanceGroup gpuGroup(int count, Integer... gpus) {
    return ModelInstanceGroup.newBuilder()
        .setName("m")
        .setKind(ModelInstanceGroup.Kind.KIND_GPU)
        .setCount(count)
        .addAllGpus(List.of(gpus))
        .build();
  }

  private static List<Integer> devices(List<InstancePlacement> placements) {
    return placements.stream().map(InstancePlacement::deviceId).toList();
  }

  @Test
  void shouldPlaceCountInstancesOnEachNamedGpu() {
    List<InstancePlacement> p = ModelLoader.placements(gpuGroup(2, 1, 3), 4);

    assertThat(devices(p)).containsExactly(1, 1, 3, 3);
    assertThat(p)
        .extracting(InstancePlacement::name)
        .containsExactly("m_0_gpu1", "m_1_gpu1", "m_0_gpu3", "m_1_gpu3");
    assertThat(p).allMatch(x -> x.kind() == InstancePlacement.Kind.GPU);
  }

  @Test
  void shouldPlaceInstancesOnEveryGpuWhenTheGroupNamesNone() {
    assertThat(devices(ModelLoader.placements(gpuGroup(1), 3))).containsExactly(0, 1, 2);
  }

  @Test
  void shouldPlaceInstancesOnGpuZeroWhenTheHostHasNoGpu() {
    assertThat(devices(ModelLoader.placements(gpuGroup(2), 0))).containsExactly(0, 0);
  }

  @Test
  void shouldPlaceCpuInstancesWithoutADevice() {
    ModelInstanceGroup cpu =
        ModelInstanceGroup.newBuilder()
            .setName("m")
            .setKind(ModelInstanceGroup.Kind.KIND_CPU)
            .setCount(2)
            .build();

    assertThat(ModelLoader.placements(cpu, 2))
        .containsExactly(InstancePlacement.cpu("m_0"), InstancePlacement.cpu("m_1"));
  }
}
