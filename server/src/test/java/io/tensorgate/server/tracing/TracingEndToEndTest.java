package io.tensorgate.server.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.TraceSettingRequest;
import io.tensorgate.proto.inference.TraceSettingResponse;
import io.tensorgate.server.ObservabilityOptions;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spans made after the fact, the caller's trace continued, and TraceSetting as Triton's. */
class TracingEndToEndTest {
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String PARENT_ID = "b7ad6b7169203331";

  @TempDir Path repo;
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private RunningServer server;

  private RunningServer start(TraceSettings.Level level, int rate) throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("simple_int8");
    server =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .observability(
                    new ObservabilityOptions()
                        .traceSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .trace(level, rate, -1)));
    return server;
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** Spans end on the answering thread just after the answer is sent: wait for them. */
  private List<SpanData> awaitRoots(int n) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> named(exporter.getFinishedSpanItems(), "ModelInfer").size() >= n);
    return named(exporter.getFinishedSpanItems(), "ModelInfer");
  }

  private static List<SpanData> named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).collect(Collectors.toList());
  }

  @Test
  void shouldContinueCallersTraceWithQueueExecuteAndResponseSpans() throws Exception {
    RunningServer s = start(TraceSettings.Level.TIMESTAMPS, 1);
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
        "00-" + TRACE_ID + "-" + PARENT_ID + "-01");

    s.blocking()
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .modelInfer(Requests.simple(2));

    SpanData root = awaitRoots(1).get(0);
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(root.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(root.getParentSpanId()).isEqualTo(PARENT_ID);
    assertThat(root.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(root.getAttributes().get(TraceObserver.MODEL)).isEqualTo("simple");
    Map<String, SpanData> children =
        spans.stream()
            .filter(x -> x.getParentSpanId().equals(root.getSpanId()))
            .collect(Collectors.toMap(SpanData::getName, x -> x));
    assertThat(children).containsOnlyKeys("queue", "execute", "response");
    assertThat(children.get("execute").getAttributes().get(TraceObserver.BATCH_SIZE)).isEqualTo(2L);
    assertThat(children.get("queue").getStartEpochNanos()).isEqualTo(root.getStartEpochNanos());
    assertThat(children.get("execute").getStartEpochNanos())
        .isGreaterThanOrEqualTo(children.get("queue").getEndEpochNanos());
    assertThat(children.get("response").getEndEpochNanos()).isEqualTo(root.getEndEpochNanos());
    assertThat(children.values()).allMatch(c -> c.getTraceId().equals(TRACE_ID));
  }

  @Test
  void shouldStartNewTraceWhenCallerSendsNoTraceparent() throws Exception {
    RunningServer s = start(TraceSettings.Level.TIMESTAMPS, 1);

    s.blocking().modelInfer(Requests.simple(1));

    SpanData root = awaitRoots(1).get(0);
    assertThat(root.getParentSpanContext().isValid()).isFalse();
    assertThat(root.getTraceId()).isNotEqualTo(TRACE_ID);
  }

  @Test
  void shouldTraceOnlyModelsWhoseLevelIsOn() throws Exception {
    RunningServer s = start(TraceSettings.Level.OFF, 1);
    s.blocking()
        .traceSetting(
            TraceSettingRequest.newBuilder()
                .setModelName("simple_int8")
                .putSettings("trace_level", values("TIMESTAMPS"))
                .build());

    s.blocking().modelInfer(Requests.simple(1));
    s.blocking().modelInfer(int8Request());

    assertThat(awaitRoots(1))
        .extracting(x -> x.getAttributes().get(TraceObserver.MODEL))
        .containsExactly("simple_int8");
  }

  @Test
  void shouldTraceEveryNthRequestAndStopAfterCountWhenSetThroughTraceSetting() throws Exception {
    RunningServer s = start(TraceSettings.Level.OFF, 1);
    TraceSettingResponse r =
        s.blocking()
            .traceSetting(
                TraceSettingRequest.newBuilder()
                    .putSettings("trace_level", values("TIMESTAMPS"))
                    .putSettings("trace_rate", values("2"))
                    .putSettings("trace_count", values("2"))
                    .build());
    assertThat(r.getSettingsMap().get("trace_rate").getValue(0)).isEqualTo("2");
    assertThat(r.getSettingsMap().get("trace_mode").getValue(0)).isEqualTo("opentelemetry");

    for (int i = 0; i < 8; i++) {
      s.blocking().modelInfer(Requests.simple(1));
    }

    assertThat(awaitRoots(2)).hasSize(2);
    assertThat(current(s, "").get("trace_count")).isEqualTo("0");
  }

  @Test
  void shouldApplyModelSettingsOnlyToThatModelAndFollowGlobalOnceCleared() throws Exception {
    RunningServer s = start(TraceSettings.Level.OFF, 1);
    s.blocking()
        .traceSetting(
            TraceSettingRequest.newBuilder()
                .setModelName("simple")
                .putSettings("trace_level", values("TENSORS"))
                .build());
    assertThat(current(s, "simple").get("trace_level")).isEqualTo("TENSORS");
    assertThat(current(s, "simple").get("trace_rate")).isEqualTo("1");
    assertThat(current(s, "").get("trace_level")).isEqualTo("OFF");

    s.blocking().modelInfer(Requests.simple(1));
    SpanData root = awaitRoots(1).get(0);
    assertThat(root.getAttributes().asMap().toString()).contains("tensorgate.input.INPUT0.data");

    s.blocking()
        .traceSetting(
            TraceSettingRequest.newBuilder()
                .setModelName("simple")
                .putSettings("trace_level", TraceSettingRequest.SettingValue.getDefaultInstance())
                .build());
    assertThat(current(s, "simple").get("trace_level")).isEqualTo("OFF");
  }

  @Test
  void shouldRefuseSettingsItCannotHonourWithPreciseStatuses() throws Exception {
    RunningServer s = start(TraceSettings.Level.OFF, 1);
    assertStatus(s, "", "trace_file", values("/tmp/x"), Status.Code.UNIMPLEMENTED, "trace file");
    assertStatus(
        s, "", "log_frequency", values("5"), Status.Code.INVALID_ARGUMENT, "log_frequency");
    assertStatus(s, "", "trace_rate", values("x"), Status.Code.INVALID_ARGUMENT, "Unable to parse");
    assertStatus(s, "", "trace_rate", values("0"), Status.Code.INVALID_ARGUMENT, ">= 1");
    assertStatus(s, "", "trace_count", values("-2"), Status.Code.INVALID_ARGUMENT, ">= -1");
    assertStatus(
        s, "", "trace_level", values("OFF", "TENSORS"), Status.Code.INVALID_ARGUMENT, "only one");
    assertStatus(s, "", "trace_level", values("ALL"), Status.Code.INVALID_ARGUMENT, "ALL");
    assertStatus(s, "", "bogus", values("1"), Status.Code.INVALID_ARGUMENT, "bogus");
    assertStatus(
        s, "nope", "trace_rate", values("1"), Status.Code.INVALID_ARGUMENT, "unknown model");
    assertThat(current(s, "").get("trace_rate")).isEqualTo("1");
  }

  private static void assertStatus(
      RunningServer s,
      String model,
      String key,
      TraceSettingRequest.SettingValue value,
      Status.Code code,
      String message) {
    assertThatThrownBy(
            () ->
                s.blocking()
                    .traceSetting(
                        TraceSettingRequest.newBuilder()
                            .setModelName(model)
                            .putSettings(key, value)
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
  }

  private static ModelInferRequest int8Request() {
    byte[] zeros = new byte[16];
    return ModelInferRequest.newBuilder()
        .setModelName("simple_int8")
        .addInputs(Requests.input("INPUT0", "INT8", 1, 16))
        .addInputs(Requests.input("INPUT1", "INT8", 1, 16))
        .addRawInputContents(ByteString.copyFrom(zeros))
        .addRawInputContents(ByteString.copyFrom(zeros))
        .build();
  }

  private static TraceSettingRequest.SettingValue values(String... v) {
    return TraceSettingRequest.SettingValue.newBuilder().addAllValue(List.of(v)).build();
  }

  private static Map<String, String> current(RunningServer s, String model) {
    return s
        .blocking()
        .traceSetting(TraceSettingRequest.newBuilder().setModelName(model).build())
        .getSettingsMap()
        .entrySet()
        .stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey, e -> String.join(",", e.getValue().getValueList())));
  }
}
