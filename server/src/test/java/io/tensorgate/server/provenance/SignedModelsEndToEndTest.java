package io.tensorgate.server.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.admin.v1.GetProvenanceRequest;
import io.tensorgate.proto.admin.v1.GovernanceServiceGrpc;
import io.tensorgate.proto.admin.v1.VersionProvenance;
import io.tensorgate.proto.inference.ModelRepositoryParameter;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.server.GovernanceOptions;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.metrics.Scrape;
import io.tensorgate.server.repository.ConfigReader;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with --model-trust-keys: signed versions serve and report their digest and signer;
 * tampered and unsigned ones, at start or as a RepositoryModelLoad override, are refused.
 */
class SignedModelsEndToEndTest {
  private static final String OVERRIDE_CONFIG =
      "{\"platform\":\"tensorgate_fault\",\"max_batch_size\":8,"
          + "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}],"
          + "\"output\":[{\"name\":\"OUTPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}],"
          + "\"instance_group\":[{\"count\":1,\"kind\":\"KIND_CPU\"}]}";

  @TempDir Path repo;
  @TempDir Path keys;
  @TempDir Path staging;
  private final KeyPair release = ModelSigner.generate();
  private ModelSigner signer;

  @BeforeEach
  void signedModel() throws Exception {
    ModelSigner.write(release, keys, "release");
    signer = ModelSigner.of(release);
    new TestRepository(repo).withFaultModel("m", "");
    sign(repo.resolve("m"), 1);
  }

  private String sign(Path modelDir, long v) throws Exception {
    var config = ConfigReader.readTextFile(modelDir.resolve("config.pbtxt"), "config.pbtxt");
    Path dir = modelDir.resolve(Long.toString(v));
    ModelSignature sig = signer.sign(ModelManifest.of("m", v, config, dir));
    ModelSigner.write(sig, dir);
    return sig.manifest().digest();
  }

  private RunningServer start(ControlMode mode) throws Exception {
    return RunningServer.start(
        TensorgateServer.builder()
            .modelRepository(repo)
            .controlMode(mode)
            .loadModels(mode == ControlMode.EXPLICIT ? List.of("m") : List.of())
            .governance(new GovernanceOptions().trustKeys(keys)));
  }

  private static RepositoryIndexResponse.ModelIndex row(RunningServer s) {
    RepositoryIndexResponse index =
        s.blocking().repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
    return index.getModelsList().stream()
        .filter(r -> r.getName().equals("m"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldServeASignedVersionAndReportItsDigestAndSigner() throws Exception {
    String digest =
        ModelSignature.parse(Files.readAllBytes(repo.resolve("m/1/MODEL.sig"))).manifest().digest();

    try (RunningServer s = start(ControlMode.NONE)) {
      s.blocking().modelInfer(Requests.gate("m", 7));
      VersionProvenance p =
          GovernanceServiceGrpc.newBlockingStub(s.channel)
              .getProvenance(GetProvenanceRequest.newBuilder().setModelName("m").build())
              .getVersions(0);
      Scrape scrape = Scrape.of(s.server.metricsPort());

      assertThat(p.getVerified()).isTrue();
      assertThat(p.getDigest()).isEqualTo(digest);
      assertThat(p.getSigner()).isEqualTo("release");
      assertThat(p.getKeyId()).isEqualTo(signer.keyId());
      assertThat(
              scrape.value(
                  "tensorgate_model_info",
                  "model",
                  "m",
                  "version",
                  "1",
                  "digest",
                  digest,
                  "signer",
                  "release"))
          .isEqualTo(1);
    }
  }

  @Test
  void shouldListATamperedVersionUnavailableWithTheReason() throws Exception {
    Files.writeString(repo.resolve("m/1/model.fault"), "tampered");

    try (RunningServer s = start(ControlMode.NONE)) {
      RepositoryIndexResponse.ModelIndex row = row(s);
      double refused =
          Scrape.of(s.server.metricsPort())
              .value("tensorgate_model_signature_refusals_total", "reason", "mismatch");

      assertThat(row.getState()).isEqualTo("UNAVAILABLE");
      assertThat(row.getReason())
          .isEqualTo("version 1 does not match its signature: 'model.fault' changed");
      assertThat(refused).isEqualTo(1);
      assertThatThrownBy(() -> s.blocking().modelInfer(Requests.gate("m", 7)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.OK));
    }
  }

  @Test
  void shouldRefuseAnUnsignedOverrideAndKeepTheServingVersion() throws Exception {
    try (RunningServer s = start(ControlMode.EXPLICIT)) {
      String before = row(s).getReason();

      assertThatThrownBy(
              () ->
                  s.blocking()
                      .repositoryModelLoad(
                          overrideRequest(ByteString.copyFromUtf8("replaced"), null)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription())
                    .contains("version 1 is not signed (no MODEL.sig)");
              });
      assertThat(row(s).getState()).isEqualTo("READY");
      assertThat(before).isEmpty();
      assertThat(
              Requests.readInt32s(
                  Requests.output(s.blocking().modelInfer(Requests.gate("m", 7)), "OUTPUT0")))
          .containsOnly(7);
      assertThat(
              GovernanceServiceGrpc.newBlockingStub(s.channel)
                  .getProvenance(GetProvenanceRequest.newBuilder().setModelName("m").build())
                  .getVersions(0)
                  .getDigest())
          .isEqualTo(
              ModelSignature.parse(Files.readAllBytes(repo.resolve("m/1/MODEL.sig")))
                  .manifest()
                  .digest());
    }
  }

  @Test
  void shouldLoadASignedOverride() throws Exception {
    Path staged = Files.createDirectories(staging.resolve("m/1"));
    Files.writeString(staged.resolve("model.fault"), "replaced");
    ModelSignature sig =
        signer.sign(ModelManifest.of("m", 1, ConfigReader.parseJson(OVERRIDE_CONFIG), staged));

    try (RunningServer s = start(ControlMode.EXPLICIT)) {
      s.blocking()
          .repositoryModelLoad(overrideRequest(ByteString.copyFromUtf8("replaced"), sig.text()));

      assertThat(
              GovernanceServiceGrpc.newBlockingStub(s.channel)
                  .getProvenance(GetProvenanceRequest.newBuilder().setModelName("m").build())
                  .getVersions(0)
                  .getDigest())
          .isEqualTo(sig.manifest().digest());
    }
  }

  private static RepositoryModelLoadRequest overrideRequest(ByteString model, String signature) {
    RepositoryModelLoadRequest.Builder b =
        RepositoryModelLoadRequest.newBuilder()
            .setModelName("m")
            .putParameters(
                "config",
                ModelRepositoryParameter.newBuilder().setStringParam(OVERRIDE_CONFIG).build())
            .putParameters(
                "file:1/model.fault",
                ModelRepositoryParameter.newBuilder().setBytesParam(model).build());
    if (signature != null) {
      b.putParameters(
          "file:1/MODEL.sig",
          ModelRepositoryParameter.newBuilder()
              .setBytesParam(ByteString.copyFromUtf8(signature))
              .build());
    }
    return b.build();
  }
}
