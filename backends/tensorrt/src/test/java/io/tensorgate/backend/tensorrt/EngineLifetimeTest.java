package io.tensorgate.backend.tensorrt;

import static io.tensorgate.backend.tensorrt.StandIns.definition;
import static io.tensorgate.backend.tensorrt.StandIns.gpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the backend makes with TensorRT and CUDA, and releases, through loads, instances, reloads
 * and failures: every object once, contexts before their engine, engines before their runtime, the
 * device set first; one engine per unchanged plan and device.
 */
class EngineLifetimeTest {
  @TempDir Path dir;
  private final StandIns s = new StandIns();
  private TensorRtBackendProvider provider;
  private Path plan;

  @BeforeEach
  void writePlan() throws Exception {
    plan = Files.createDirectories(dir.resolve("m/1")).resolve("model.plan");
    TensorRtStandIn.writePlan(plan, "doubler");
    provider = s.provider(dir.resolve("cache"), 2);
  }

  @AfterEach
  void everythingMadeWasReleasedOnce() {
    assertThat(s.releasesPerObject()).allSatisfy((object, n) -> assertThat(n).as(object).isOne());
  }

  @Test
  void shouldReleaseContextsThenTheEngineThenTheRuntimeWhenInstancesAndModelClose()
      throws Exception {
    Model model = provider.load(definition(plan, 8));
    ModelInstance a = model.newInstance(gpu(0));
    ModelInstance b = model.newInstance(gpu(0));

    a.close();
    b.close();
    model.close();

    assertThat(s.lifecycle())
        .containsExactly(
            "createInferRuntime -> r1",
            "deserialize r1 -> e2",
            "createExecutionContext e2 -> c3",
            "createExecutionContext e2 -> c4",
            "release c3",
            "release c4",
            "release e2",
            "release r1");
  }

  @Test
  void shouldKeepTheEngineUntilItsLastContextIsReleasedWhenTheModelClosesFirst() throws Exception {
    Model model = provider.load(definition(plan, 8));
    ModelInstance hung = model.newInstance(gpu(0));

    model.close();
    assertThat(s.lifecycle()).doesNotContain("release e2");
    hung.close();

    assertThat(s.lifecycle()).endsWith("release c3", "release e2", "release r1");
  }

  @Test
  void shouldReleaseNothingTwiceWhenInstanceAndModelAreClosedTwice() throws Exception {
    Model model = provider.load(definition(plan, 8));
    ModelInstance instance = model.newInstance(gpu(0));

    instance.close();
    instance.close();
    model.close();
    model.close();

    assertThat(s.lifecycle()).filteredOn(l -> l.startsWith("release")).hasSize(3);
  }

  @Test
  void shouldSetTheDeviceBeforeReleasingWhenTheInstanceRunsOnAnotherGpu() throws Exception {
    Model model = provider.load(definition(plan, 8));
    ModelInstance onGpu1 = model.newInstance(gpu(1));
    model.close();
    int before = s.lines().size();

    onGpu1.close();

    List<String> closing = s.linesFrom(before);
    assertThat(closing.get(0)).isEqualTo("cudaSetDevice 1");
    int engine = closing.indexOf("release e4");
    assertThat(closing.get(engine - 1)).isEqualTo("cudaSetDevice 1");
  }

  @Test
  void shouldDeserializeOnceWhenAnUnchangedPlanIsLoadedAgainWhileLoaded() throws Exception {
    Model first = provider.load(definition(plan, 8));
    Model reload = provider.load(definition(plan, 8));

    first.close();
    assertThat(s.lifecycle()).containsExactly("createInferRuntime -> r1", "deserialize r1 -> e2");
    reload.close();

    assertThat(s.lifecycle()).endsWith("release e2", "release r1");
  }

  @Test
  void shouldDeserializeAgainWhenThePlanFileChanged() throws Exception {
    Model first = provider.load(definition(plan, 8));
    TensorRtStandIn.writePlan(plan, "doubler, rebuilt");
    Files.setLastModifiedTime(plan, FileTime.fromMillis(System.currentTimeMillis() + 5_000));

    Model second = provider.load(definition(plan, 8));
    first.close();
    second.close();

    assertThat(s.lifecycle()).filteredOn(l -> l.startsWith("deserialize")).hasSize(2);
  }

  @Test
  void shouldUseTheInspectedEngineWhenTheModelLoadsAfterInspect() throws Exception {
    provider.inspect(plan);
    Model model = provider.load(definition(plan, 8));

    model.close();

    assertThat(s.lifecycle())
        .containsExactly(
            "createInferRuntime -> r1", "deserialize r1 -> e2", "release e2", "release r1");
  }

  @Test
  void shouldReleaseTheParkedEngineWhenAnotherPlanIsInspected() throws Exception {
    Path other = Files.createDirectories(dir.resolve("n/1")).resolve("model.plan");
    TensorRtStandIn.writePlan(other, "another");
    provider.inspect(plan);

    provider.inspect(other);

    assertThat(s.lifecycle()).contains("release e2", "release r1");
    provider.load(definition(other, 8)).close();
  }

  @Test
  void shouldReleaseTheEngineAndRuntimeWhenTheConfigurationDoesNotMatchTheEngine() {
    ModelDefinition wrongType =
        new ModelDefinition(
            "m",
            1,
            "tensorrt_plan",
            plan.getParent(),
            plan,
            8,
            List.of(new TensorSpec("INPUT0", DataType.INT32, new long[] {4})),
            List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {4})),
            Map.of());

    assertThatThrownBy(() -> provider.load(wrongType))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("TYPE_INT32");
    assertThat(s.lifecycle()).endsWith("release e2", "release r1");
  }

  @Test
  void shouldReleaseTheRuntimeWhenTensorRtRefusesThePlan() throws Exception {
    Files.writeString(plan, "not a plan");

    assertThatThrownBy(() -> provider.load(definition(plan, 8)))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("could not deserialize model.plan on GPU 0 (NVIDIA Stand-In");
    assertThat(s.lifecycle())
        .containsExactly("createInferRuntime -> r1", "deserialize r1 refused", "release r1");
  }

  @Test
  void shouldReleaseWhatAnInstanceMadeWhenItCannotBeCreated() throws Exception {
    Model model = provider.load(definition(plan, 8));
    s.cuda.failingOnce("cudaEventCreate");

    assertThatThrownBy(() -> model.newInstance(gpu(0))).hasMessageContaining("injected");
    model.close();

    assertThat(s.lifecycle()).endsWith("release c3", "release e2", "release r1");
  }

  @Test
  void shouldDeserializeOnceWhenASecondLoadAsksWhileTheFirstIsDeserializing() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    s.tensorRt.blockingDeserialization(started, proceed);
    FutureTask<Model> first = new FutureTask<>(() -> provider.load(definition(plan, 8)));
    FutureTask<Model> second = new FutureTask<>(() -> provider.load(definition(plan, 4)));
    Thread firstThread = new Thread(first, "first load");
    Thread secondThread = new Thread(second, "second load");
    firstThread.start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    secondThread.start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> secondThread.getState() == Thread.State.WAITING);
    proceed.countDown();
    Model a = first.get(10, TimeUnit.SECONDS);
    Model b = second.get(10, TimeUnit.SECONDS);
    a.close();
    b.close();

    assertThat(s.lifecycle())
        .containsExactly(
            "createInferRuntime -> r1", "deserialize r1 -> e2", "release e2", "release r1");
  }
}
