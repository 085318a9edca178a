package io.tensorgate.server.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trust folder: public keys by file name; anything else stops the start-up. */
class TrustedKeysTest {
  @TempDir Path dir;

  @Test
  void shouldNameEachKeyByItsFile() throws Exception {
    KeyPair pair = ModelSigner.generate();
    ModelSigner.write(pair, dir, "release-2026");

    TrustedKeys keys = TrustedKeys.read(dir);

    TrustedKeys.Key k = keys.byId(TrustedKeys.keyId(pair.getPublic()));
    assertThat(k.name()).isEqualTo("release-2026");
    assertThat(keys.size()).isEqualTo(1);
  }

  @Test
  void shouldWriteThePrivateKeyReadableByItsOwnerOnly() throws Exception {
    ModelSigner.write(ModelSigner.generate(), dir, "k");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("k.key"))))
        .isEqualTo("rw-------");
  }

  @Test
  void shouldRefuseAPrivateKeyInTheTrustFolder() throws Exception {
    Path keys = Files.createDirectories(dir.resolve("keys"));
    ModelSigner.write(ModelSigner.generate(), dir, "k");
    Files.copy(dir.resolve("k.key"), keys.resolve("oops.pem"));

    assertThatThrownBy(() -> TrustedKeys.read(keys))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("oops.pem is not an Ed25519 public key")
        .hasMessageContaining("private key");
  }

  @Test
  void shouldRefuseAFolderWithoutKeys() {
    assertThatThrownBy(() -> TrustedKeys.read(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds no public key (*.pem)");
  }
}
