package io.tensorgate.server.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tensorgate.proto.admin.v1.Divergence;
import io.tensorgate.proto.admin.v1.GetProvenanceRequest;
import io.tensorgate.proto.admin.v1.GetRoutingRequest;
import io.tensorgate.proto.admin.v1.GovernanceServiceGrpc;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RoutingServiceGrpc;
import io.tensorgate.proto.admin.v1.SetRoutingRequest;
import io.tensorgate.proto.admin.v1.Shadow;
import io.tensorgate.proto.admin.v1.VersionProvenance;
import io.tensorgate.server.GovernanceOptions;
import io.tensorgate.server.ObservabilityOptions;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Payload log lines and shadow divergence records name the digest of the files that served. */
class ProvenanceRecordsEndToEndTest {
  @TempDir Path repo;
  @TempDir Path keys;
  @TempDir Path logs;

  /** Model m, versions 1 and 2 on the fault backend, both signed. */
  private void signedModel(String extraConfig) throws Exception {
    new TestRepository(repo).withFaultModel("m", "version_policy: { all {} }\n" + extraConfig);
    Files.createDirectories(repo.resolve("m/2"));
    Files.writeString(repo.resolve("m/2/model.fault"), "2");
    KeyPair key = ModelSigner.generate();
    ModelSigner.write(key, keys, "release");
    var config = ConfigReader.readTextFile(repo.resolve("m/config.pbtxt"), "config.pbtxt");
    for (long v = 1; v <= 2; v++) {
      Path dir = repo.resolve("m/" + v);
      ModelSigner.write(ModelSigner.of(key).sign(ModelManifest.of("m", v, config, dir)), dir);
    }
  }

  private RunningServer start() throws Exception {
    return RunningServer.start(
        TensorgateServer.builder()
            .modelRepository(repo)
            .governance(new GovernanceOptions().trustKeys(keys))
            .observability(new ObservabilityOptions().payloadLogDir(logs)));
  }

  private static Map<Long, String> digests(RunningServer s) {
    return GovernanceServiceGrpc.newBlockingStub(s.channel)
        .getProvenance(GetProvenanceRequest.newBuilder().setModelName("m").build())
        .getVersionsList()
        .stream()
        .collect(Collectors.toMap(VersionProvenance::getVersion, VersionProvenance::getDigest));
  }

  @Test
  void shouldWriteTheDigestIntoPayloadLogLines() throws Exception {
    signedModel("parameters { key: \"payload_log_sample_rate\" value: { string_value: \"1\" } }\n");
    try (RunningServer s = start()) {
      s.blocking().modelInfer(Requests.gate("m", 3).toBuilder().setModelVersion("2").build());
      Path file = logs.resolve("payload.jsonl");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> Files.exists(file) && !Files.readAllLines(file).isEmpty());

      List<String> lines = Files.readAllLines(file);
      assertThat(lines.get(0)).contains("\"model_digest\":\"" + digests(s).get(2L) + "\"");
    }
  }

  @Test
  void shouldNameBothDigestsInDivergenceRecords() throws Exception {
    signedModel("");
    try (RunningServer s = start()) {
      RoutingServiceGrpc.newBlockingStub(s.channel)
          .setRouting(
              SetRoutingRequest.newBuilder()
                  .setModelName("m")
                  .setRouting(
                      ModelRouting.newBuilder()
                          .setStableVersion(1)
                          .setShadow(Shadow.newBuilder().setVersion(2).setFraction(1)))
                  .build());

      s.blocking().modelInfer(Requests.gate("m", 3));
      GetRoutingRequest get = GetRoutingRequest.newBuilder().setModelName("m").build();
      var routing = RoutingServiceGrpc.newBlockingStub(s.channel);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> routing.getRouting(get).getDivergenceCount() > 0);
      Divergence d = routing.getRouting(get).getDivergence(0);

      Map<Long, String> digests = digests(s);
      assertThat(d.getPrimaryDigest()).isEqualTo(digests.get(1L)).startsWith("sha256:");
      assertThat(d.getShadowDigest()).isEqualTo(digests.get(2L)).isNotEqualTo(digests.get(1L));
    }
  }
}
