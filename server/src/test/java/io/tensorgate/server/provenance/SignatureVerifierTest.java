package io.tensorgate.server.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.server.repository.ConfigReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed versions load; tampered, unsigned and foreign-signed ones are refused with a reason. */
class SignatureVerifierTest {
  private static final String CONFIG =
      "platform: \"onnxruntime_onnx\"\nmax_batch_size: 8\n"
          + "input [{ name: \"X\" data_type: TYPE_FP32 dims: [4] }]\n"
          + "output [{ name: \"Y\" data_type: TYPE_FP32 dims: [4] }]\n";

  @TempDir Path dir;
  private final KeyPair trusted = ModelSigner.generate();
  private ModelConfig config;
  private Path version;
  private SignatureVerifier verifier;

  @BeforeEach
  void signedVersion() throws Exception {
    config = ConfigReader.parseText(CONFIG, "config.pbtxt");
    version = Files.createDirectories(dir.resolve("m/1"));
    Files.write(version.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
    Files.createDirectories(version.resolve("sub"));
    Files.writeString(version.resolve("sub/extra.bin"), "weights");
    sign(trusted, 1);
    verifier = new SignatureVerifier(TrustedKeys.of(Map.of("release", trusted.getPublic())));
  }

  private void sign(KeyPair key, long v) throws Exception {
    ModelSigner signer = ModelSigner.of(key);
    ModelSigner.write(signer.sign(ModelManifest.of("m", v, config, version)), version);
  }

  @Test
  void shouldAcceptAVersionSignedByATrustedKey() throws Exception {
    Provenance p = verifier.verify("m", 1, config, version);

    assertThat(p.signer()).isEqualTo("release");
    assertThat(p.keyId()).isEqualTo(TrustedKeys.keyId(trusted.getPublic()));
    assertThat(p.digest())
        .isEqualTo(ModelManifest.of("m", 1, config, version).digest())
        .startsWith("sha256:");
  }

  @Test
  void shouldRefuseAVersionWhoseFileWasTampered() throws Exception {
    Files.write(version.resolve("model.onnx"), new byte[] {1, 2, 3, 5});

    assertThatThrownBy(() -> verifier.verify("m", 1, config, version))
        .isInstanceOfSatisfying(
            ModelVerifier.Refusal.class,
            r -> assertThat(r.reason()).isEqualTo(ModelVerifier.Reason.MISMATCH))
        .hasMessage("version 1 does not match its signature: 'model.onnx' changed");
  }

  @Test
  void shouldRefuseAVersionWithAnAddedFile() throws Exception {
    Files.writeString(version.resolve("sub/evil.so"), "x");

    assertThatThrownBy(() -> verifier.verify("m", 1, config, version))
        .hasMessage("version 1 does not match its signature: 'sub/evil.so' was added");
  }

  @Test
  void shouldRefuseAVersionWhoseConfigurationChanged() throws Exception {
    ModelConfig changed = config.toBuilder().setMaxBatchSize(64).build();

    assertThatThrownBy(() -> verifier.verify("m", 1, changed, version))
        .hasMessage("version 1 does not match its signature: the configuration changed");
  }

  @Test
  void shouldAcceptTheSameConfigurationGivenAsJson() throws Exception {
    ModelConfig json =
        ConfigReader.parseJson(
            "{\"name\":\"m\",\"platform\":\"onnxruntime_onnx\",\"max_batch_size\":8,"
                + "\"input\":[{\"name\":\"X\",\"data_type\":\"TYPE_FP32\",\"dims\":[4]}],"
                + "\"output\":[{\"name\":\"Y\",\"data_type\":\"TYPE_FP32\",\"dims\":[4]}]}");

    assertThat(verifier.verify("m", 1, json, version).signer()).isEqualTo("release");
  }

  @Test
  void shouldRefuseAVersionSignedByAKeyThatIsNotTrusted() throws Exception {
    KeyPair stranger = ModelSigner.generate();
    sign(stranger, 1);

    assertThatThrownBy(() -> verifier.verify("m", 1, config, version))
        .isInstanceOfSatisfying(
            ModelVerifier.Refusal.class,
            r -> assertThat(r.reason()).isEqualTo(ModelVerifier.Reason.UNKNOWN_KEY))
        .hasMessage(
            "version 1 is signed by key "
                + TrustedKeys.keyId(stranger.getPublic())
                + ", which is not trusted");
  }

  @Test
  void shouldRefuseAnUnsignedVersion() throws Exception {
    Files.delete(version.resolve(ModelManifest.SIGNATURE_FILE));

    assertThatThrownBy(() -> verifier.verify("m", 1, config, version))
        .isInstanceOfSatisfying(
            ModelVerifier.Refusal.class,
            r -> assertThat(r.reason()).isEqualTo(ModelVerifier.Reason.UNSIGNED))
        .hasMessageContaining("not signed (no MODEL.sig)");
  }

  @Test
  void shouldRefuseASignatureFileWhoseManifestWasEditedToMatch() throws Exception {
    // An attacker changes a file and rewrites the manifest in MODEL.sig to match it.
    Files.write(version.resolve("model.onnx"), new byte[] {9});
    Path sig = version.resolve(ModelManifest.SIGNATURE_FILE);
    String text = Files.readString(sig);
    String forged =
        text.substring(0, text.indexOf("\n\n") + 2)
            + ModelManifest.of("m", 1, config, version).text();
    Files.writeString(sig, forged, StandardCharsets.UTF_8);

    assertThatThrownBy(() -> verifier.verify("m", 1, config, version))
        .hasMessage("the signature in MODEL.sig does not verify with key 'release'");
  }

  @Test
  void shouldRefuseAVersionCopiedUnderAnotherVersionNumber() throws Exception {
    Path v2 = Files.createDirectories(dir.resolve("m/2"));
    for (String f : new String[] {"model.onnx", ModelManifest.SIGNATURE_FILE}) {
      Files.copy(version.resolve(f), v2.resolve(f));
    }
    Files.createDirectories(v2.resolve("sub"));
    Files.copy(version.resolve("sub/extra.bin"), v2.resolve("sub/extra.bin"));

    assertThatThrownBy(() -> verifier.verify("m", 2, config, v2))
        .hasMessage("version 2 does not match its signature: it was signed for version 1");
  }

  @Test
  void shouldRefuseAMalformedSignatureFile() throws Exception {
    Files.writeString(version.resolve(ModelManifest.SIGNATURE_FILE), "hello\n");

    assertThatThrownBy(() -> verifier.verify("m", 1, config, version))
        .isInstanceOfSatisfying(
            ModelVerifier.Refusal.class,
            r -> assertThat(r.reason()).isEqualTo(ModelVerifier.Reason.INVALID))
        .hasMessageContaining("not a Tensorgate signature file");
  }

  @Test
  void shouldCountRefusalsByReasonWhenBound() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    verifier.bindTo(registry);
    Files.delete(version.resolve(ModelManifest.SIGNATURE_FILE));

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> verifier.verify("m", 1, config, version))
          .isInstanceOf(ModelVerifier.Refusal.class);
    }

    assertThat(
            registry
                .get("tensorgate.model.signature.refusals")
                .tag("reason", "unsigned")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get("tensorgate.model.signature.refusals")
                .tag("reason", "mismatch")
                .counter()
                .count())
        .isZero();
  }
}
