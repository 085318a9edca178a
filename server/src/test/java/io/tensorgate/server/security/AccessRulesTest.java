package io.tensorgate.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.tensorgate.proto.admin.v1.MonitoringServiceGrpc;
import io.tensorgate.proto.admin.v1.RoutingServiceGrpc;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.proto.inference.TraceSettingRequest;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token file format, restricted-protocol flags, method groups and the off-loopback default. */
class AccessRulesTest {
  static final String TOKEN = "0123456789abcdef";

  @TempDir Path dir;

  @Test
  void shouldPlaceEveryTritonRpcInATritonGroup() {
    for (MethodDescriptor<?, ?> m : GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods()) {
      assertThat(ProtocolGroup.of(m.getFullMethodName()))
          .as(m.getFullMethodName())
          .isNotEqualTo(ProtocolGroup.ADMIN);
    }
    assertThat(ProtocolGroup.of("inference.GRPCInferenceService/CudaSharedMemoryRegister"))
        .isEqualTo(ProtocolGroup.SHARED_MEMORY);
    assertThat(ProtocolGroup.of("inference.GRPCInferenceService/RepositoryModelLoad"))
        .isEqualTo(ProtocolGroup.MODEL_REPOSITORY);
    assertThat(ProtocolGroup.of("grpc.health.v1.Health/Check")).isEqualTo(ProtocolGroup.HEALTH);
  }

  @Test
  void shouldPlaceAdminServicesAndUnknownMethodsInAdmin() {
    for (MethodDescriptor<?, ?> m : MonitoringServiceGrpc.getServiceDescriptor().getMethods()) {
      assertThat(ProtocolGroup.of(m.getFullMethodName())).isEqualTo(ProtocolGroup.ADMIN);
    }
    assertThat(ProtocolGroup.of("tensorgate.admin.v1.RoutingService/SetRoute"))
        .isEqualTo(ProtocolGroup.ADMIN);
    assertThat(ProtocolGroup.of("some.New/Thing")).isEqualTo(ProtocolGroup.ADMIN);
  }

  @Test
  void shouldApplySharedTokenToGroupsWithoutTheirOwn() {
    TokenFile t = TokenFile.parse(List.of("*: shared-" + TOKEN, "admin: admin-" + TOKEN), "f");
    assertThat(t.accepts(ProtocolGroup.INFERENCE, "shared-" + TOKEN)).isTrue();
    assertThat(t.accepts(ProtocolGroup.ADMIN, "admin-" + TOKEN)).isTrue();
    assertThat(t.accepts(ProtocolGroup.ADMIN, "shared-" + TOKEN)).isFalse();
  }

  @Test
  void shouldParseTheReadmeExample() {
    TokenFile t =
        TokenFile.parse(
            List.of(
                "# /etc/tensorgate/tokens  (chmod 600)",
                "# operators",
                "admin,model-repository,shared-memory: 5d1f0c0e9b9e4c1c8c7b2f61",
                "# applications",
                "inference,metadata,health: 8a3b2e77f0d14b3c9e2a71d0",
                "# everything else",
                "*: 0f4c9d2a7e8b41c6b1d3aa95"),
            "README");
    assertThat(t.accepts(ProtocolGroup.SHARED_MEMORY, "5d1f0c0e9b9e4c1c8c7b2f61")).isTrue();
    assertThat(t.accepts(ProtocolGroup.LOGGING, "0f4c9d2a7e8b41c6b1d3aa95")).isTrue();
    assertThat(t.accepts(ProtocolGroup.INFERENCE, "0f4c9d2a7e8b41c6b1d3aa95")).isFalse();
  }

  @Test
  void shouldAcceptEveryTokenOfAGroupNamedTwice() {
    TokenFile t =
        TokenFile.parse(List.of("inference: old-" + TOKEN, "inference: new-" + TOKEN), "f");
    assertThat(t.accepts(ProtocolGroup.INFERENCE, "old-" + TOKEN)).isTrue();
    assertThat(t.accepts(ProtocolGroup.INFERENCE, "new-" + TOKEN)).isTrue();
    assertThat(t.protects(ProtocolGroup.HEALTH)).isFalse();
  }

  @Test
  void shouldRefuseShortTokensAndUnknownGroupsWithTheLine() {
    assertThatThrownBy(() -> TokenFile.parse(List.of("# c", "admin: short"), "tokens.txt"))
        .hasMessageContaining("tokens.txt line 2")
        .hasMessageContaining("at least 16");
    assertThatThrownBy(() -> TokenFile.parse(List.of("admn: " + TOKEN), "tokens.txt"))
        .hasMessageContaining("unknown protocol 'admn'");
    assertThatThrownBy(() -> TokenFile.parse(List.of(TOKEN), "tokens.txt"))
        .hasMessageContaining("expected '<protocols>: <token>'");
  }

  @Test
  void shouldRefuseProtocolInTwoRestrictedGroupsWithTritonsMessage() {
    assertThatThrownBy(
            () ->
                RestrictedProtocols.parse(
                    List.of("model-repository,health:k1=v1", "metadata,health:k2=v2")))
        .hasMessage("protocol 'health' can not be specified in multiple config groups");
    assertThatThrownBy(() -> RestrictedProtocols.parse(List.of("health:novalue")))
        .hasMessageContaining("<protocols>:<key>=<value>");
    assertThatThrownBy(() -> RestrictedProtocols.parse(List.of("helth:k=v")))
        .hasMessageContaining("unknown protocol 'helth'");
  }

  private static Status adminCall(ServerHardening h) {
    return h.access().check(ProtocolGroup.ADMIN, new Metadata());
  }

  @Test
  void shouldCloseAdminAndRepositoryWithoutTokenOffLoopback() throws Exception {
    ServerHardening h =
        ServerHardening.prepare(new SecurityOptions(), InetAddress.getByName("0.0.0.0"));
    assertThat(adminCall(h).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(adminCall(h).getDescription()).contains("--grpc-auth-token-file");
    assertThat(h.access().check(ProtocolGroup.MODEL_REPOSITORY, new Metadata())).isNotNull();
    assertThat(h.access().check(ProtocolGroup.INFERENCE, new Metadata())).isNull();
  }

  @Test
  void shouldOpenAdminOnLoopbackOrWhenAllowed() throws Exception {
    assertThat(
            adminCall(
                ServerHardening.prepare(new SecurityOptions(), InetAddress.getByName("127.0.0.1"))))
        .isNull();
    assertThat(
            adminCall(
                ServerHardening.prepare(
                    new SecurityOptions().allowUnauthenticatedAdmin(true),
                    InetAddress.getByName("0.0.0.0"))))
        .isNull();
  }

  @Test
  void shouldServeAdminOffLoopbackWithItsToken() throws Exception {
    Path tokens = Files.writeString(dir.resolve("t"), "admin,model-repository: " + TOKEN + "\n");
    ServerHardening h =
        ServerHardening.prepare(
            new SecurityOptions().authTokenFile(tokens), InetAddress.getByName("0.0.0.0"));
    Metadata m = new Metadata();
    m.put(AccessInterceptor.AUTHORIZATION, "Bearer " + TOKEN);
    assertThat(h.access().check(ProtocolGroup.ADMIN, m)).isNull();
    assertThat(adminCall(h).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void shouldClassifyStateChangingTritonRpcs() {
    List<String> writes = new java.util.ArrayList<>();
    List<String> bySettings = new java.util.ArrayList<>();
    for (MethodDescriptor<?, ?> m : GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods()) {
      StateChangingCalls.Kind k = StateChangingCalls.of(m.getFullMethodName());
      if (k == StateChangingCalls.Kind.WRITE) {
        writes.add(m.getBareMethodName());
      } else if (k == StateChangingCalls.Kind.BY_MESSAGE) {
        bySettings.add(m.getBareMethodName());
      }
    }
    assertThat(writes)
        .containsExactlyInAnyOrder(
            "RepositoryModelLoad",
            "RepositoryModelUnload",
            "SystemSharedMemoryRegister",
            "SystemSharedMemoryUnregister",
            "CudaSharedMemoryRegister",
            "CudaSharedMemoryUnregister");
    assertThat(bySettings).containsExactlyInAnyOrder("LogSettings", "TraceSetting");
  }

  @Test
  void shouldClassifyAdminReadsAndWrites() {
    for (MethodDescriptor<?, ?> m : RoutingServiceGrpc.getServiceDescriptor().getMethods()) {
      boolean read = Set.of("GetRouting", "ListEvents").contains(m.getBareMethodName());
      assertThat(StateChangingCalls.of(m.getFullMethodName()))
          .as(m.getFullMethodName())
          .isEqualTo(read ? StateChangingCalls.Kind.READ : StateChangingCalls.Kind.WRITE);
    }
    assertThat(
            StateChangingCalls.of(
                MonitoringServiceGrpc.getResetReferenceMethod().getFullMethodName()))
        .isEqualTo(StateChangingCalls.Kind.WRITE);
    assertThat(StateChangingCalls.of(MonitoringServiceGrpc.getGetDriftMethod().getFullMethodName()))
        .isEqualTo(StateChangingCalls.Kind.READ);
    assertThat(StateChangingCalls.of("tensorgate.admin.v2.New/Thing"))
        .isEqualTo(StateChangingCalls.Kind.WRITE);
    assertThat(StateChangingCalls.of("grpc.health.v1.Health/Check"))
        .isEqualTo(StateChangingCalls.Kind.READ);
  }

  @Test
  void shouldTellSettingsReadsFromUpdates() {
    assertThat(StateChangingCalls.changes(LogSettingsRequest.getDefaultInstance())).isFalse();
    assertThat(
            StateChangingCalls.changes(
                LogSettingsRequest.newBuilder()
                    .putSettings(
                        "log_info",
                        LogSettingsRequest.SettingValue.newBuilder().setBoolParam(false).build())
                    .build()))
        .isTrue();
    assertThat(
            StateChangingCalls.changes(
                TraceSettingRequest.newBuilder().setModelName("simple").build()))
        .isFalse();
  }

  @Test
  void shouldRefuseWritesOfGroupsWithoutRuleWhenTokenFileGiven() throws Exception {
    Path tokens = Files.writeString(dir.resolve("t"), "logging,admin: " + TOKEN + "\n");
    ServerHardening h =
        ServerHardening.prepare(
            new SecurityOptions().authTokenFile(tokens).restrictedProtocol("trace:k=v"),
            InetAddress.getByName("127.0.0.1"));
    assertThat(h.access().refusesWrites(ProtocolGroup.SHARED_MEMORY)).isTrue();
    assertThat(h.access().refusesWrites(ProtocolGroup.MODEL_REPOSITORY)).isTrue();
    assertThat(h.access().refusesWrites(ProtocolGroup.LOGGING)).isFalse();
    assertThat(h.access().refusesWrites(ProtocolGroup.ADMIN)).isFalse();
    assertThat(h.access().refusesWrites(ProtocolGroup.TRACE)).isFalse();
  }

  @Test
  void shouldRefuseWritesOfEveryGroupOffLoopbackWithoutTokens() throws Exception {
    ServerHardening h =
        ServerHardening.prepare(new SecurityOptions(), InetAddress.getByName("0.0.0.0"));
    for (ProtocolGroup g : ProtocolGroup.values()) {
      assertThat(h.access().refusesWrites(g)).as(g.flagName()).isTrue();
    }
  }

  @Test
  void shouldLeaveWritesOpenOnLoopbackWithoutTokensOrWhenAllowed() throws Exception {
    ServerHardening loopback =
        ServerHardening.prepare(new SecurityOptions(), InetAddress.getByName("127.0.0.1"));
    ServerHardening allowed =
        ServerHardening.prepare(
            new SecurityOptions().allowUnauthenticatedAdmin(true),
            InetAddress.getByName("0.0.0.0"));
    for (ProtocolGroup g : ProtocolGroup.values()) {
      assertThat(loopback.access().refusesWrites(g)).as(g.flagName()).isFalse();
      assertThat(allowed.access().refusesWrites(g)).as(g.flagName()).isFalse();
    }
  }
}
