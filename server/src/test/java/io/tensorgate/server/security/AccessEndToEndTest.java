package io.tensorgate.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.tensorgate.proto.admin.v1.GetDriftRequest;
import io.tensorgate.proto.admin.v1.MonitoringServiceGrpc;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.tensorgate.proto.inference.TraceSettingRequest;
import io.tensorgate.proto.inference.TraceSettingResponse;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer tokens per protocol group and Triton's restricted protocols, end to end over a real port:
 * missing, wrong and right credentials for each kind of group.
 */
class AccessEndToEndTest {
  static final String ADMIN_TOKEN = "admin-0123456789abcdef";
  static final String INFER_TOKEN = "infer-0123456789abcdef";

  @TempDir static Path dir;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Path tokens = dir.resolve("tokens");
    Files.writeString(
        tokens,
        "# test tokens\n"
            + "admin, model-repository: "
            + ADMIN_TOKEN
            + "\n"
            + "inference,metadata,health: "
            + INFER_TOKEN
            + "\n");
    server =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .security(
                    new SecurityOptions()
                        .authTokenFile(tokens)
                        .restrictedProtocol("statistics,trace:stats-key=stats-value")));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static <S extends AbstractStub<S>> S with(S stub, String header, String value) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of(header, Metadata.ASCII_STRING_MARSHALLER), value);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  private static GRPCInferenceServiceBlockingStub bearer(String token) {
    return with(server.blocking(), "authorization", "Bearer " + token);
  }

  private static void assertStatus(ThrowingCallable call, Status.Code code, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
  }

  private static final ServerLiveRequest LIVE = ServerLiveRequest.getDefaultInstance();

  @Test
  void shouldRefuseCallWithoutTokenWhenGroupHasOne() {
    assertStatus(
        () -> server.blocking().serverLive(LIVE),
        Status.Code.UNAUTHENTICATED,
        "'health' protocol requires a bearer token");
  }

  @Test
  void shouldRefuseCallWithWrongToken() {
    assertStatus(
        () -> bearer("infer-0123456789abcdeX").serverLive(LIVE),
        Status.Code.UNAUTHENTICATED,
        "invalid bearer token for the 'health' protocol");
  }

  @Test
  void shouldRefuseTokenOfAnotherGroup() {
    assertStatus(
        () -> bearer(ADMIN_TOKEN).serverLive(LIVE),
        Status.Code.UNAUTHENTICATED,
        "invalid bearer token");
    assertStatus(
        () -> bearer(INFER_TOKEN).repositoryIndex(RepositoryIndexRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "invalid bearer token for the 'model-repository' protocol");
  }

  @Test
  void shouldRefuseAuthorizationThatIsNotBearer() {
    assertStatus(
        () -> with(server.blocking(), "authorization", "Basic " + INFER_TOKEN).serverLive(LIVE),
        Status.Code.UNAUTHENTICATED,
        "'Bearer <token>'");
  }

  @Test
  void shouldAnswerCallWithTheGroupsToken() {
    assertThat(bearer(INFER_TOKEN).serverLive(LIVE).getLive()).isTrue();
    assertThat(
            bearer(ADMIN_TOKEN)
                .repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
                .getModelsCount())
        .isZero();
  }

  @Test
  void shouldGuardTensorgateAdminServicesWithTheAdminToken() {
    MonitoringServiceGrpc.MonitoringServiceBlockingStub monitoring =
        MonitoringServiceGrpc.newBlockingStub(server.channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    GetDriftRequest req = GetDriftRequest.newBuilder().setModelName("none").build();
    assertStatus(() -> monitoring.getDrift(req), Status.Code.UNAUTHENTICATED, "'admin' protocol");
    assertStatus(
        () -> with(monitoring, "authorization", "Bearer " + INFER_TOKEN).getDrift(req),
        Status.Code.UNAUTHENTICATED,
        "invalid bearer token for the 'admin' protocol");
    // With the right token the call reaches the service, which answers for itself.
    assertThatThrownBy(
            () -> with(monitoring, "authorization", "Bearer " + ADMIN_TOKEN).getDrift(req))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.UNAUTHENTICATED));
  }

  @Test
  void shouldLeaveGroupsWithoutRulesOpen() {
    assertThat(
            server
                .blocking()
                .systemSharedMemoryStatus(SystemSharedMemoryStatusRequest.getDefaultInstance())
                .getRegionsCount())
        .isZero();
  }

  @Test
  void shouldAnswerUnavailableNamingTheHeaderWhenRestrictedHeaderMissing() {
    assertStatus(
        () -> server.blocking().modelStatistics(ModelStatisticsRequest.getDefaultInstance()),
        Status.Code.UNAVAILABLE,
        "This protocol is restricted, expecting header 'triton-grpc-protocol-stats-key'");
  }

  @Test
  void shouldAnswerUnavailableWhenRestrictedHeaderWrong() {
    assertStatus(
        () ->
            with(server.blocking(), "triton-grpc-protocol-stats-key", "stats-valuX")
                .modelStatistics(ModelStatisticsRequest.getDefaultInstance()),
        Status.Code.UNAVAILABLE,
        "This protocol is restricted");
  }

  @Test
  void shouldAnswerWhenRestrictedHeaderRight() {
    assertThat(
            with(server.blocking(), "triton-grpc-protocol-stats-key", "stats-value")
                .modelStatistics(ModelStatisticsRequest.getDefaultInstance())
                .getModelStatsCount())
        .isZero();
  }

  private static final LogSettingsRequest LOG_UPDATE =
      LogSettingsRequest.newBuilder()
          .putSettings(
              "log_info", LogSettingsRequest.SettingValue.newBuilder().setBoolParam(true).build())
          .build();

  @Test
  void shouldRefuseSettingsUpdateWhenNoRuleNamesItsGroup() {
    assertStatus(
        () -> server.blocking().logSettings(LOG_UPDATE),
        Status.Code.PERMISSION_DENIED,
        "LogSettings changes server state, which is refused once a token file is given unless a"
            + " rule names the 'logging' protocol");
  }

  @Test
  void shouldRefuseSharedMemoryRegistrationWhenNoRuleNamesSharedMemory() {
    assertStatus(
        () ->
            server
                .blocking()
                .systemSharedMemoryRegister(
                    SystemSharedMemoryRegisterRequest.newBuilder()
                        .setName("r")
                        .setKey("/k")
                        .setByteSize(64)
                        .build()),
        Status.Code.PERMISSION_DENIED,
        "'shared-memory' protocol");
    assertStatus(
        () ->
            server
                .blocking()
                .systemSharedMemoryUnregister(
                    SystemSharedMemoryUnregisterRequest.getDefaultInstance()),
        Status.Code.PERMISSION_DENIED,
        "SystemSharedMemoryUnregister changes server state");
  }

  @Test
  void shouldAnswerSettingsReadWhenNoRuleNamesItsGroup() {
    assertThat(
            server.blocking().logSettings(LogSettingsRequest.getDefaultInstance()).getSettingsMap())
        .containsKey("log_info");
  }

  @Test
  void shouldLetTheRuleOfAGroupChangeItsState() {
    // trace is restricted by a header: with it, an update reaches the service.
    TraceSettingResponse r =
        with(server.blocking(), "triton-grpc-protocol-stats-key", "stats-value")
            .traceSetting(
                TraceSettingRequest.newBuilder()
                    .putSettings(
                        "trace_rate",
                        TraceSettingRequest.SettingValue.newBuilder().addValue("7").build())
                    .build());
    assertThat(r.getSettingsMap().get("trace_rate").getValue(0)).isEqualTo("7");
  }
}
