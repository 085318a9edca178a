package io.tensorgate.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.tensorgate.proto.admin.v1.AuditEntry;
import io.tensorgate.proto.admin.v1.GovernanceServiceGrpc;
import io.tensorgate.proto.admin.v1.ListAuditEntriesRequest;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.security.SecurityOptions;
import io.tensorgate.server.security.TestCerts;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Under mutual TLS the audit trail names the caller by its certificate's subject. */
class AuditMutualTlsEndToEndTest {
  @TempDir Path dir;

  @Test
  void shouldNameTheClientCertificatesSubject() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    try (RunningServer s =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(dir)
                .security(
                    new SecurityOptions()
                        .tls(certs.serverCert, certs.serverKey)
                        .mutualTls(certs.caCert)))) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("localhost", s.server.port())
              .sslContext(
                  GrpcSslContexts.forClient()
                      .trustManager(certs.caCert.toFile())
                      .keyManager(certs.clientCert.toFile(), certs.clientKey.toFile())
                      .build())
              .build();
      try {
        GRPCInferenceServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .logSettings(
                LogSettingsRequest.newBuilder()
                    .putSettings(
                        "log_info",
                        LogSettingsRequest.SettingValue.newBuilder().setBoolParam(true).build())
                    .build());
        AuditEntry e =
            GovernanceServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .listAuditEntries(ListAuditEntriesRequest.getDefaultInstance())
                .getEntries(0);

        assertThat(e.getCall()).isEqualTo("LogSettings");
        assertThat(e.getCallerSubject()).isEqualTo("CN=tensorgate-test-client");
        assertThat(e.getCallerRule()).isEmpty();
        assertThat(e.getStatus()).isEqualTo("OK");
      } finally {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
