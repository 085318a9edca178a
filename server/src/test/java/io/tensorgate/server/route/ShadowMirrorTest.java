package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Context;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.batching.InferenceRequest.SequenceControl;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.Shadow;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.repository.TestVersions;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import io.tensorgate.server.threads.BackgroundThreads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which answered requests the shadow mirror samples; counted as they are sampled, no waiting. */
class ShadowMirrorTest {
  @TempDir Path repository;

  private RoutingGraph g;
  private ShadowMirror mirror;

  @BeforeEach
  void setUp() throws Exception {
    Files.createDirectories(repository.resolve("m"));
    g = new RoutingGraph(repository);
    mirror =
        new ShadowMirror(
            g.registry,
            g.router,
            new RequestDecoder(new SharedMemoryRegistry(repository)),
            g.divergence,
            new BackgroundThreads(new SimpleMeterRegistry()),
            4,
            1,
            1);
  }

  @AfterEach
  void tearDown() {
    mirror.close();
  }

  private void shadow(double fraction) throws Exception {
    g.control.apply(
        "m",
        c ->
            ModelRouting.newBuilder()
                .setStableVersion(1)
                .setShadow(Shadow.newBuilder().setVersion(2).setFraction(fraction))
                .build(),
        "set",
        "test");
  }

  private LoadedVersion version(long v) {
    return g.registry.get("m").ready().get(v);
  }

  /** How many answers of version 1 were sampled for the shadow. */
  private long mirrored() {
    DivergenceStats s = g.divergence.get("m", 1, new DivergenceTable.ShadowKey("m", 2));
    return s == null ? 0 : s.requests.sum();
  }

  private static CompletedRequest answered(
      LoadedVersion v, InferenceError error, SequenceControl sequence, boolean decoded) {
    ModelInferRequest wire = Requests.gate("m", 1);
    DecodedRequest d =
        decoded ? new DecodedRequest("", List.of(), List.of(), null, 1, 0, 0, sequence) : null;
    return new Completed(v, wire, d, error);
  }

  private record Completed(
      LoadedVersion version, ModelInferRequest wire, DecodedRequest decoded, InferenceError error)
      implements CompletedRequest {
    @Override
    public String routeReason() {
      return "default";
    }

    @Override
    public List<Tensor> outputs() {
      return List.of();
    }

    @Override
    public long arrivalNanos() {
      return 0;
    }

    @Override
    public long dispatchNanos() {
      return 0;
    }

    @Override
    public ExecutionTimestamps execution() {
      return null;
    }

    @Override
    public int batchSize() {
      return 1;
    }

    @Override
    public long endNanos() {
      return 0;
    }

    @Override
    public Context grpcContext() {
      return Context.ROOT;
    }
  }

  @Test
  void shouldMirrorEveryAnswerWhenTheFractionIsOne() throws Exception {
    shadow(1);

    for (int i = 0; i < 50; i++) {
      mirror.onComplete(answered(version(1), null, null, true));
    }

    assertThat(mirrored()).isEqualTo(50);
  }

  @Test
  void shouldMirrorAboutTheFractionWhenItIsBelowOne() throws Exception {
    shadow(0.25);

    for (int i = 0; i < 4000; i++) {
      mirror.onComplete(answered(version(1), null, null, true));
    }

    // 1000 expected; the bounds are eight standard deviations (27) away.
    assertThat(mirrored()).isBetween(780L, 1220L);
  }

  @Test
  void shouldNotMirrorAFailedAnswer() throws Exception {
    shadow(1);

    mirror.onComplete(
        answered(version(1), new InferenceError(ErrorCode.INTERNAL, "x"), null, true));

    assertThat(mirrored()).isZero();
  }

  @Test
  void shouldNotMirrorARequestThatWasNotDecoded() throws Exception {
    shadow(1);

    mirror.onComplete(answered(version(1), null, null, false));

    assertThat(mirrored()).isZero();
  }

  @Test
  void shouldNotMirrorASequenceRequest() throws Exception {
    shadow(1);

    mirror.onComplete(answered(version(1), null, new SequenceControl(7, null, true, false), true));

    assertThat(mirrored()).isZero();
  }

  @Test
  void shouldNotMirrorTheShadowsOwnAnswers() throws Exception {
    shadow(1);

    mirror.onComplete(answered(version(2), null, null, true));

    assertThat(g.divergence.get("m", 2, new DivergenceTable.ShadowKey("m", 2))).isNull();
  }

  @Test
  void shouldNotMirrorWhenTheModelHasNoShadow() throws Exception {
    mirror.onComplete(answered(version(1), null, null, true));

    assertThat(mirrored()).isZero();
  }

  @Test
  void shouldListTheComparedPairForTheModelWhenMirrored() throws Exception {
    shadow(1);

    mirror.onComplete(answered(version(1), null, null, true));

    assertThat(g.divergence.forModel("m"))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.toProto().getPrimaryVersion()).isEqualTo(1);
              assertThat(d.toProto().getShadowVersion()).isEqualTo(2);
              assertThat(d.toProto().getShadowModelName()).isEqualTo("m");
              assertThat(d.toProto().getShadowRequests()).isEqualTo(1);
            });
    assertThat(g.divergence.forModel("other")).isEmpty();
  }

  /** Serves version 1 and a shadow version 2 that hands each request to {@link #shadowed}. */
  private void serveShadow(InferenceError refusal) {
    java.util.TreeMap<Long, LoadedVersion> versions = new java.util.TreeMap<>();
    versions.put(1L, version(1));
    versions.put(
        2L,
        TestVersions.version(
            RouteValidatorTest.CONFIG,
            2,
            r -> {
              shadowed.add(r);
              return refusal;
            }));
    TestVersions.serve(g.registry, new ModelRegistry.ServedModel("m", versions, Map.of()));
  }

  private final BlockingQueue<InferenceRequest> shadowed = new LinkedBlockingQueue<>();

  private InferenceRequest nextShadowed() throws InterruptedException {
    InferenceRequest r = shadowed.poll(5, TimeUnit.SECONDS);
    assertThat(r).as("a request reached the shadow").isNotNull();
    return r;
  }

  private DivergenceStats stats() {
    return g.divergence.get("m", 1, new DivergenceTable.ShadowKey("m", 2));
  }

  @Test
  void shouldCompareTheShadowsAnswerAndFreeItsPermitWhenItSucceeds() throws Exception {
    serveShadow(null);
    shadow(1);

    mirror.onComplete(answered(version(1), null, null, true));
    InferenceRequest r = nextShadowed();
    r.listener().onSuccess(r, List.of());
    mirror.onComplete(answered(version(1), null, null, true));

    assertThat(r.mirrored()).isTrue();
    nextShadowed();
    assertThat(stats().comparisons.sum()).isEqualTo(1);
    assertThat(stats().exact.sum()).isEqualTo(1);
    assertThat(stats().dropped.sum()).isZero();
  }

  @Test
  void shouldCountAFailureAndFreeThePermitWhenTheShadowFails() throws Exception {
    serveShadow(null);
    shadow(1);

    mirror.onComplete(answered(version(1), null, null, true));
    InferenceRequest r = nextShadowed();
    r.listener().onFailure(r, new InferenceError(ErrorCode.INTERNAL, "x"));

    assertThat(stats().failures.sum()).isEqualTo(1);
    assertThat(g.registry.get("m").ready().get(2L).inFlight()).isZero();
    mirror.onComplete(answered(version(1), null, null, true));
    nextShadowed();
  }

  @Test
  void shouldDropAsBusyWhenTheShadowHoldsItsMaximumInFlight() throws Exception {
    serveShadow(null);
    shadow(1);

    mirror.onComplete(answered(version(1), null, null, true));
    nextShadowed();
    mirror.onComplete(answered(version(1), null, null, true));

    await().atMost(Duration.ofSeconds(5)).until(() -> stats().dropped.sum() == 1);
    assertThat(
            g.meters
                .get("tensorgate.shadow.dropped")
                .tag("reason", "shadow_busy")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void shouldDropAndFreeThePermitWhenTheShadowRefusesTheRequest() throws Exception {
    serveShadow(new InferenceError(ErrorCode.UNAVAILABLE, "full"));
    shadow(1);

    mirror.onComplete(answered(version(1), null, null, true));
    nextShadowed();
    mirror.onComplete(answered(version(1), null, null, true));
    nextShadowed();

    await().atMost(Duration.ofSeconds(5)).until(() -> stats().dropped.sum() == 2);
    assertThat(
            g.meters
                .get("tensorgate.shadow.dropped")
                .tag("reason", "shadow_queue_full")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(g.registry.get("m").ready().get(2L).inFlight()).isZero();
  }

  @Test
  void shouldDropWhenTheShadowIsNoLongerReady() throws Exception {
    shadow(1);
    java.util.TreeMap<Long, LoadedVersion> versions = new java.util.TreeMap<>();
    versions.put(1L, version(1));
    TestVersions.serve(g.registry, new ModelRegistry.ServedModel("m", versions, Map.of()));

    mirror.onComplete(answered(version(1), null, null, true));

    await().atMost(Duration.ofSeconds(5)).until(() -> stats().dropped.sum() == 1);
    assertThat(
            g.meters
                .get("tensorgate.shadow.dropped")
                .tag("reason", "shadow_unavailable")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void shouldCountAFailureAndFreeThePermitWhenTheRequestDoesNotFitTheShadow() throws Exception {
    serveShadow(null);
    shadow(1);
    ModelInferRequest wrong = Requests.gate("m", 1).toBuilder().clearRawInputContents().build();

    mirror.onComplete(new Completed(version(1), wrong, decodedRequest(), null));
    await().atMost(Duration.ofSeconds(5)).until(() -> stats().failures.sum() == 1);
    mirror.onComplete(answered(version(1), null, null, true));

    nextShadowed();
    assertThat(shadowed).isEmpty();
  }

  private static DecodedRequest decodedRequest() {
    return new DecodedRequest("", List.of(), List.of(), null, 1, 0, 0, null);
  }
}
