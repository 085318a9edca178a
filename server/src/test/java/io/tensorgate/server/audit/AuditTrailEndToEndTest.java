package io.tensorgate.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.tensorgate.proto.admin.v1.AuditEntry;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.GetRoutingRequest;
import io.tensorgate.proto.admin.v1.GovernanceServiceGrpc;
import io.tensorgate.proto.admin.v1.ListAuditEntriesRequest;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.MonitoringServiceGrpc;
import io.tensorgate.proto.admin.v1.PromoteRequest;
import io.tensorgate.proto.admin.v1.ResetReferenceRequest;
import io.tensorgate.proto.admin.v1.RollbackRequest;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.RoutingServiceGrpc;
import io.tensorgate.proto.admin.v1.SetCanaryRequest;
import io.tensorgate.proto.admin.v1.SetRoutingRequest;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.proto.inference.ModelRepositoryParameter;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.tensorgate.proto.inference.TraceSettingRequest;
import io.tensorgate.server.GovernanceOptions;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import io.tensorgate.server.route.RoutingOptions;
import io.tensorgate.server.security.SecurityOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of state-changing call leaves one audit entry naming the caller's token rule, in
 * ListAuditEntries and in --audit-log; reads leave none; the token itself is written nowhere.
 */
class AuditTrailEndToEndTest {
  static final String OPERATOR_TOKEN = "op-token-0123456789abcdef";
  static final String APP_TOKEN = "app-token-0123456789abcdef";

  @TempDir static Path dir;
  static RunningServer server;
  static Path auditLog;

  @BeforeAll
  static void start() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Path shm = Files.createDirectories(dir.resolve("shm"));
    Files.write(shm.resolve("audit_region"), new byte[64]);
    TestRepository r = new TestRepository(repo);
    r.withFaultModel("m", "");
    r.withFaultModel("gone", "");
    for (String twoVersions : List.of("r", "p", "auto")) {
      r.withFaultModel(twoVersions, "version_policy: { all {} }\n");
      Files.createDirectories(repo.resolve(twoVersions + "/2"));
      Files.writeString(repo.resolve(twoVersions + "/2/model.fault"), "");
    }
    Path tokens = dir.resolve("tokens");
    Files.writeString(
        tokens,
        "operators=admin,model-repository,shared-memory,logging,trace: "
            + OPERATOR_TOKEN
            + "\napps=inference,metadata,health,model-config,statistics: "
            + APP_TOKEN
            + "\n");
    auditLog = dir.resolve("logs/audit.jsonl");
    server =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .controlMode(ControlMode.EXPLICIT)
                .loadModels(List.of("m", "gone", "r", "p", "auto"))
                .sharedMemoryRoot(shm)
                .routing(new RoutingOptions().rolloutTick(Duration.ofMillis(20)))
                .security(new SecurityOptions().authTokenFile(tokens))
                .governance(new GovernanceOptions().auditLog(auditLog)));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static <S extends AbstractStub<S>> S as(String token, S stub) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub operator() {
    return as(OPERATOR_TOKEN, GRPCInferenceServiceGrpc.newBlockingStub(server.channel));
  }

  private static RoutingServiceGrpc.RoutingServiceBlockingStub routing() {
    return as(OPERATOR_TOKEN, RoutingServiceGrpc.newBlockingStub(server.channel));
  }

  /** The entries of one call, oldest first. */
  private static List<AuditEntry> entries(String call) {
    return as(OPERATOR_TOKEN, GovernanceServiceGrpc.newBlockingStub(server.channel))
        .listAuditEntries(ListAuditEntriesRequest.getDefaultInstance())
        .getEntriesList()
        .stream()
        .filter(e -> e.getCall().equals(call))
        .toList();
  }

  private static AuditEntry last(String call) {
    List<AuditEntry> e = entries(call);
    assertThat(e).as("entries of %s", call).isNotEmpty();
    return e.get(e.size() - 1);
  }

  @Test
  void shouldRecordAModelLoadWithTheCallersRuleAndArguments() {
    operator()
        .repositoryModelLoad(
            RepositoryModelLoadRequest.newBuilder()
                .setModelName("m")
                .putParameters(
                    "config",
                    ModelRepositoryParameter.newBuilder()
                        .setStringParam(
                            "{\"platform\":\"tensorgate_fault\",\"max_batch_size\":8,"
                                + "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_INT32\","
                                + "\"dims\":[16]}],\"output\":[{\"name\":\"OUTPUT0\","
                                + "\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]}")
                        .build())
                .putParameters(
                    "file:1/model.fault",
                    ModelRepositoryParameter.newBuilder()
                        .setBytesParam(ByteString.copyFromUtf8("secret weights"))
                        .build())
                .build());

    AuditEntry e = last("RepositoryModelLoad");
    assertThat(e.getCallerRule()).isEqualTo("operators");
    assertThat(e.getPeer()).startsWith("127.0.0.1:");
    assertThat(e.getModelName()).isEqualTo("m");
    assertThat(e.getStatus()).isEqualTo("OK");
    assertThat(e.getArgumentsMap()).containsEntry("parameters.file:1/model.fault", "<14 bytes>");
    assertThat(e.getArgumentsMap().get("parameters.config")).contains("tensorgate_fault");
    assertThat(e.getJson()).doesNotContain("secret weights");
  }

  @Test
  void shouldRecordAModelUnload() {
    operator()
        .repositoryModelUnload(
            RepositoryModelUnloadRequest.newBuilder().setModelName("gone").build());

    AuditEntry e = last("RepositoryModelUnload");
    assertThat(e.getCallerRule()).isEqualTo("operators");
    assertThat(e.getModelName()).isEqualTo("gone");
    assertThat(e.getStatus()).isEqualTo("OK");
  }

  @Test
  void shouldRecordACanaryChangeAndItsWeight() {
    routing()
        .setCanary(
            SetCanaryRequest.newBuilder()
                .setModelName("r")
                .setVersion(2)
                .setWeightPercent(5)
                .build());

    AuditEntry e = last("RoutingService/SetCanary");
    assertThat(e.getCallerRule()).isEqualTo("operators");
    assertThat(e.getModelName()).isEqualTo("r");
    assertThat(e.getModelVersion()).isEqualTo("2");
    assertThat(e.getArgumentsMap()).containsEntry("weight_percent", "5.0");
  }

  @Test
  void shouldRecordAPromotionAndARollbackByHand() {
    routing()
        .setCanary(
            SetCanaryRequest.newBuilder()
                .setModelName("p")
                .setVersion(2)
                .setWeightPercent(5)
                .build());
    routing().rollback(RollbackRequest.newBuilder().setModelName("p").setReason("oops").build());
    routing()
        .setCanary(
            SetCanaryRequest.newBuilder()
                .setModelName("p")
                .setVersion(2)
                .setWeightPercent(5)
                .build());
    routing().promote(PromoteRequest.newBuilder().setModelName("p").build());

    assertThat(last("RoutingService/Rollback").getArgumentsMap()).containsEntry("reason", "oops");
    assertThat(last("RoutingService/Rollback").getCallerRule()).isEqualTo("operators");
    assertThat(last("RoutingService/Promote").getCallerRule()).isEqualTo("operators");
    assertThat(last("RoutingService/Promote").getStatus()).isEqualTo("OK");
  }

  @Test
  void shouldRecordTheRolloutControllersOwnPromotion() {
    routing()
        .setRouting(
            SetRoutingRequest.newBuilder()
                .setModelName("auto")
                .setRouting(
                    ModelRouting.newBuilder()
                        .setStableVersion(1)
                        .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(10))
                        .setRollout(
                            RolloutPolicy.newBuilder()
                                .addStepsPercent(10)
                                .addStepsPercent(100)
                                .setMinRequests(1)))
                .build());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              as(APP_TOKEN, GRPCInferenceServiceGrpc.newBlockingStub(server.channel))
                  .modelInfer(Requests.gate("auto", 1).toBuilder().setModelVersion("2").build());
              return !entries("rollout/promote").isEmpty();
            });

    AuditEntry e = last("rollout/promote");
    assertThat(e.getCallerRule()).isEqualTo("rollout-controller");
    assertThat(e.getModelName()).isEqualTo("auto");
    assertThat(e.getModelVersion()).isEqualTo("2");
    assertThat(e.getArgumentsMap().get("reason")).contains("passed every step");
    assertThat(last("RoutingService/SetRouting").getCallerRule()).isEqualTo("operators");
  }

  @Test
  void shouldRecordLogAndTraceSettingUpdatesButNotReads() {
    int before = entries("LogSettings").size();
    operator().logSettings(LogSettingsRequest.getDefaultInstance());
    operator()
        .logSettings(
            LogSettingsRequest.newBuilder()
                .putSettings(
                    "log_verbose_level",
                    LogSettingsRequest.SettingValue.newBuilder().setUint32Param(0).build())
                .build());
    operator()
        .traceSetting(
            TraceSettingRequest.newBuilder()
                .putSettings(
                    "trace_rate",
                    TraceSettingRequest.SettingValue.newBuilder().addValue("500").build())
                .build());

    assertThat(entries("LogSettings")).hasSize(before + 1);
    assertThat(last("LogSettings").getArgumentsMap())
        .containsEntry("settings.log_verbose_level", "0");
    assertThat(last("TraceSetting").getCallerRule()).isEqualTo("operators");
    assertThat(last("TraceSetting").getArgumentsMap())
        .containsEntry("settings.trace_rate", "[500]");
  }

  @Test
  void shouldRecordSharedMemoryRegistrationAndUnregistration() {
    operator()
        .systemSharedMemoryRegister(
            SystemSharedMemoryRegisterRequest.newBuilder()
                .setName("region")
                .setKey("/audit_region")
                .setByteSize(64)
                .build());
    operator()
        .systemSharedMemoryUnregister(
            SystemSharedMemoryUnregisterRequest.newBuilder().setName("region").build());

    AuditEntry reg = last("SystemSharedMemoryRegister");
    assertThat(reg.getCallerRule()).isEqualTo("operators");
    assertThat(reg.getArgumentsMap())
        .containsEntry("name", "region")
        .containsEntry("key", "/audit_region")
        .containsEntry("byte_size", "64");
    assertThat(last("SystemSharedMemoryUnregister").getArgumentsMap())
        .containsEntry("name", "region");
  }

  @Test
  void shouldRecordADriftReferenceResetWithItsOutcome() {
    assertThatThrownBy(
            () ->
                as(OPERATOR_TOKEN, MonitoringServiceGrpc.newBlockingStub(server.channel))
                    .resetReference(ResetReferenceRequest.newBuilder().setModelName("m").build()))
        .isInstanceOf(StatusRuntimeException.class);

    AuditEntry e = last("MonitoringService/ResetReference");
    assertThat(e.getCallerRule()).isEqualTo("operators");
    assertThat(e.getModelName()).isEqualTo("m");
    assertThat(e.getStatus()).isEqualTo("FAILED_PRECONDITION");
  }

  @Test
  void shouldRecordARefusedCallWithoutNamingAnyRule() {
    assertThatThrownBy(
            () ->
                as(APP_TOKEN, GRPCInferenceServiceGrpc.newBlockingStub(server.channel))
                    .repositoryModelUnload(
                        RepositoryModelUnloadRequest.newBuilder().setModelName("m").build()))
        .isInstanceOf(StatusRuntimeException.class);

    AuditEntry e = last("RepositoryModelUnload");
    assertThat(e.getStatus()).isEqualTo("UNAUTHENTICATED");
    assertThat(e.getCallerRule()).isEmpty();
    assertThat(e.getMessage()).contains("invalid bearer token");
  }

  @Test
  void shouldRecordNoReads() {
    int before =
        as(OPERATOR_TOKEN, GovernanceServiceGrpc.newBlockingStub(server.channel))
            .listAuditEntries(ListAuditEntriesRequest.getDefaultInstance())
            .getEntriesCount();
    operator().repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
    routing().getRouting(GetRoutingRequest.newBuilder().setModelName("r").build());
    as(APP_TOKEN, GRPCInferenceServiceGrpc.newBlockingStub(server.channel))
        .modelInfer(Requests.gate("m", 1));

    assertThat(
            as(OPERATOR_TOKEN, GovernanceServiceGrpc.newBlockingStub(server.channel))
                .listAuditEntries(ListAuditEntriesRequest.getDefaultInstance())
                .getEntriesCount())
        .isEqualTo(before);
  }

  @Test
  void shouldWriteEachEntryAsAJsonLineInAnOwnerOnlyFileWithoutTheToken() throws Exception {
    operator()
        .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("m").build());

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Files.exists(auditLog)
                    && Files.readString(auditLog).contains("\"RepositoryModelLoad\""));
    List<String> lines = Files.readAllLines(auditLog);
    JsonNode load =
        new ObjectMapper()
            .readTree(
                lines.stream()
                    .filter(l -> l.contains("\"RepositoryModelLoad\""))
                    .reduce((a, b) -> b)
                    .orElseThrow());
    assertThat(load.at("/caller/rule").asText()).isEqualTo("operators");
    assertThat(load.at("/model").asText()).isEqualTo("m");
    assertThat(load.at("/status").asText()).isEqualTo("OK");
    assertThat(load.at("/time").asText()).endsWith("Z");
    assertThat(String.join("\n", lines)).doesNotContain(OPERATOR_TOKEN).doesNotContain(APP_TOKEN);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(auditLog)))
        .isEqualTo("rw-------");
  }
}
