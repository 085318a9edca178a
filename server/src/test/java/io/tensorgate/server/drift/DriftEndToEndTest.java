package io.tensorgate.server.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import io.tensorgate.proto.admin.v1.FeatureDrift;
import io.tensorgate.proto.admin.v1.GetDriftRequest;
import io.tensorgate.proto.admin.v1.ModelDrift;
import io.tensorgate.proto.admin.v1.MonitoringServiceGrpc;
import io.tensorgate.proto.admin.v1.ResetReferenceRequest;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.ObservabilityOptions;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.metrics.Scrape;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.repository.LoadedVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drift detection end to end on the sample model {@code simple} (INT32 [b,16] inputs). */
class DriftEndToEndTest {
  private static final int BATCH = 8;
  private static final int REFERENCE = 100;

  @TempDir Path repo;

  private RunningServer start(String extraParameters, ObservabilityOptions o) throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Path config = repo.resolve("simple/config.pbtxt");
    Files.writeString(
        config,
        Files.readString(config)
            + parameter("drift_sample_rate", "1")
            + parameter("drift_reference_requests", Integer.toString(REFERENCE))
            + parameter("drift_window_size", Integer.toString(REFERENCE))
            + parameter("drift_min_window_requests", Integer.toString(REFERENCE))
            + parameter("drift_window_seconds", "3600")
            + extraParameters);
    return RunningServer.start(TensorgateServer.builder().modelRepository(repo).observability(o));
  }

  static String parameter(String key, String value) {
    return "\nparameters { key: \"" + key + "\" value: { string_value: \"" + value + "\" } }\n";
  }

  /** A batch-8 request with INPUT0 uniform in [low, low + 100) and INPUT1 in [0, 10). */
  static ModelInferRequest request(Random rnd, int low) {
    int[] a = new int[16 * BATCH];
    int[] b = new int[16 * BATCH];
    for (int i = 0; i < a.length; i++) {
      a[i] = low + rnd.nextInt(100);
      b[i] = rnd.nextInt(10);
    }
    return ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(Requests.input("INPUT0", "INT32", BATCH, 16))
        .addInputs(Requests.input("INPUT1", "INT32", BATCH, 16))
        .addRawInputContents(Requests.int32s(a))
        .addRawInputContents(Requests.int32s(b))
        .build();
  }

  private static void send(RunningServer s, Random rnd, int low, int count) {
    for (int i = 0; i < count; i++) {
      s.blocking().modelInfer(request(rnd, low));
    }
  }

  private static MonitoringServiceGrpc.MonitoringServiceBlockingStub admin(RunningServer s) {
    return MonitoringServiceGrpc.newBlockingStub(s.channel);
  }

  private static ModelDrift drift(RunningServer s) {
    return admin(s)
        .getDrift(GetDriftRequest.newBuilder().setModelName("simple").build())
        .getModels(0);
  }

  private static ModelDrift awaitWindow(RunningServer s, long requests) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ModelDrift d = drift(s);
              return d.getState() == ModelDrift.State.MONITORING
                  && d.getWindowRequests() == requests;
            });
    return drift(s);
  }

  private static FeatureDrift feature(ModelDrift d, String name) {
    return d.getFeaturesList().stream()
        .filter(f -> f.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldRaisePsiAndKlPastThresholdAndFireEventWhenInputsShift() throws Exception {
    try (RunningServer s = start("", new ObservabilityOptions())) {
      Random rnd = new Random(1);
      send(s, rnd, 0, REFERENCE);
      awaitWindow(s, 0);

      send(s, rnd, 50, REFERENCE);
      ModelDrift d = awaitWindow(s, REFERENCE);

      FeatureDrift x = feature(d, "INPUT0[3]");
      assertThat(x.getPsi()).isGreaterThan(d.getThresholds().getPsi());
      assertThat(x.getKl()).isGreaterThan(d.getThresholds().getKl());
      assertThat(x.getKs()).isGreaterThan(d.getThresholds().getKs());
      assertThat(x.getDrifting()).isTrue();
      assertThat(x.getEvents()).isEqualTo(1);
      assertThat(feature(d, "INPUT1[3]").getDrifting()).isFalse();
      Scrape m = Scrape.of(s.server.metricsPort());
      assertThat(
              m.value("tensorgate_drift_events_total", "model", "simple", "feature", "INPUT0[3]"))
          .isEqualTo(1);
      assertThat(m.value("tensorgate_drift_psi", "model", "simple", "feature", "INPUT0[3]"))
          .isEqualTo(x.getPsi());
    }
  }

  @Test
  void shouldStayUnderThresholdsWhenInputsKeepTheirDistribution() throws Exception {
    try (RunningServer s = start("", new ObservabilityOptions())) {
      send(s, new Random(1), 0, REFERENCE);
      awaitWindow(s, 0);

      send(s, new Random(2), 0, REFERENCE);
      ModelDrift d = awaitWindow(s, REFERENCE);

      assertThat(d.getFeaturesCount()).isEqualTo(64);
      for (FeatureDrift f : d.getFeaturesList()) {
        assertThat(f.getPsi()).as(f.getName()).isLessThan(d.getThresholds().getPsi());
        assertThat(f.getKl()).as(f.getName()).isLessThan(d.getThresholds().getKl());
        assertThat(f.getKs()).as(f.getName()).isLessThan(d.getThresholds().getKs());
        assertThat(f.getDrifting()).isFalse();
        assertThat(f.getEvents()).isZero();
      }
    }
  }

  @Test
  void shouldCompareWithReferenceFileWhenModelFolderHasOne() throws Exception {
    Files.createDirectories(repo.resolve("simple"));
    // INPUT0 column 0 uniform over [0, 100) in ten bins.
    Files.writeString(
        repo.resolve("simple/drift_reference.json"),
        "{\"features\": {\"INPUT0[0]\": {\"edges\": [0,10,20,30,40,50,60,70,80,90,100],"
            + " \"counts\": [0,1,1,1,1,1,1,1,1,1,1,0]}}}");
    try (RunningServer s = start("", new ObservabilityOptions())) {
      assertThat(drift(s).getReferenceSource()).isEqualTo("file");

      send(s, new Random(3), 100, REFERENCE);
      ModelDrift d = awaitWindow(s, REFERENCE);

      assertThat(d.getFeaturesList())
          .extracting(FeatureDrift::getName)
          .containsExactly("INPUT0[0]");
      assertThat(feature(d, "INPUT0[0]").getDrifting()).isTrue();
    }
  }

  @Test
  void shouldReportFailureWhenReferenceFileNamesUnknownFeature() throws Exception {
    Files.createDirectories(repo.resolve("simple"));
    Files.writeString(
        repo.resolve("simple/drift_reference.json"),
        "{\"features\": {\"NOPE\": {\"edges\": [0], \"counts\": [1, 1]}}}");
    try (RunningServer s = start("", new ObservabilityOptions())) {
      ModelDrift d = drift(s);

      assertThat(d.getState()).isEqualTo(ModelDrift.State.FAILED);
      assertThat(d.getFailureReason()).contains("'NOPE' is not a feature of this model");
      s.blocking().modelInfer(request(new Random(1), 0));
    }
  }

  @Test
  void shouldCaptureAgainWhenReferenceIsReset() throws Exception {
    try (RunningServer s = start("", new ObservabilityOptions())) {
      send(s, new Random(1), 0, REFERENCE);
      awaitWindow(s, 0);

      ModelDrift d =
          admin(s)
              .resetReference(ResetReferenceRequest.newBuilder().setModelName("simple").build())
              .getModels(0);

      assertThat(d.getState()).isEqualTo(ModelDrift.State.CAPTURING_REFERENCE);
      assertThat(d.getReferenceRequests()).isZero();
    }
  }

  @Test
  void shouldDropAndCountSamplesWithoutBlockingWhenQueueIsFull() throws Exception {
    try (RunningServer s = start("", new ObservabilityOptions())) {
      LoadedVersion version = s.server.repository().registry().get("simple").latest();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      try (DriftMonitor monitor = new DriftMonitor(meters, 2)) {
        monitor.onServing(version);
        VersionDrift d = monitor.monitors(null).get(0);
        int offered = 20;
        // Holding the monitor's lock stalls the drift thread in its first update.
        synchronized (d) {
          for (int i = 0; i < offered; i++) {
            monitor.onComplete(completed(version));
          }
        }

        assertThat(d.dropped.count()).isGreaterThanOrEqualTo(offered - 3);
        assertThat(d.sampled.count() + d.dropped.count()).isEqualTo(offered);
      }
    }
  }

  @Test
  @SuppressWarnings({"deprecation", "removal"}) // Thread.stop: an Error thrown into the thread
  void shouldKeepMonitoringAndCountTheFailureWhenTheDriftThreadIsHitByAnError() throws Exception {
    try (RunningServer s = start("", new ObservabilityOptions())) {
      LoadedVersion version = s.server.repository().registry().get("simple").latest();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      try (DriftMonitor monitor = new DriftMonitor(meters, 100)) {
        monitor.onServing(version);
        VersionDrift d = monitor.monitors(null).get(0);
        synchronized (d) {
          monitor.onComplete(completed(version));
          // This monitor's drift thread, stalled in its first update (the server's own is idle).
          Thread drift =
              await()
                  .atMost(Duration.ofSeconds(10))
                  .until(
                      () ->
                          Thread.getAllStackTraces().keySet().stream()
                              .filter(t -> t.getName().equals("tensorgate-drift"))
                              .filter(t -> t.getState() == Thread.State.BLOCKED)
                              .findFirst()
                              .orElse(null),
                      java.util.Objects::nonNull);
          try {
            drift.stop(); // delivers ThreadDeath, an Error, once the thread takes the lock
          } catch (UnsupportedOperationException e) {
            org.junit.jupiter.api.Assumptions.abort("this JDK cannot throw into a thread");
          }
        }
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    meters
                            .get("tensorgate.background.thread.failures")
                            .tag("thread", "tensorgate-drift")
                            .counter()
                            .count()
                        == 1);
        long before = d.report().referenceRequests();
        monitor.onComplete(completed(version));

        await().atMost(Duration.ofSeconds(10)).until(() -> d.report().referenceRequests() > before);
      }
    }
  }

  private static CompletedRequest completed(LoadedVersion version) {
    ModelInferRequest wire = request(new Random(1), 0);
    List<Tensor> inputs =
        List.of(
            tensor("INPUT0", wire.getRawInputContents(0)),
            tensor("INPUT1", wire.getRawInputContents(1)));
    DecodedRequest decoded =
        new DecodedRequest("", inputs, List.of(), null, BATCH, 0, 0, null, null);
    long now = System.nanoTime();
    return new CompletedRequest(
        version, "default", wire, decoded, List.of(), null, now, now, null, BATCH, now, null);
  }

  private static Tensor tensor(String name, com.google.protobuf.ByteString raw) {
    return new Tensor(name, DataType.INT32, new long[] {BATCH, 16}, raw.asReadOnlyByteBuffer());
  }

  @Test
  void shouldAnswerPreciseStatusesForModelsWithoutDrift() throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("simple_int8");
    try (RunningServer s = RunningServer.start(TensorgateServer.builder().modelRepository(repo))) {
      assertThatThrownBy(
              () -> admin(s).getDrift(GetDriftRequest.newBuilder().setModelName("nope").build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
      assertThatThrownBy(
              () -> admin(s).getDrift(GetDriftRequest.newBuilder().setModelName("simple").build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                assertThat(e.getStatus().getDescription()).contains("drift_sample_rate");
              });
      assertThat(admin(s).getDrift(GetDriftRequest.getDefaultInstance()).getModelsCount()).isZero();
    }
  }
}
