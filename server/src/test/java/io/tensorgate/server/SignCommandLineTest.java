package io.tensorgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tensorgate sign}: key generation, signing and checking as an operator runs them. */
class SignCommandLineTest {
  @TempDir Path dir;
  private Path model;
  private final StringWriter out = new StringWriter();

  @BeforeEach
  void modelFolder() throws Exception {
    model = Files.createDirectories(dir.resolve("repo/m"));
    Files.writeString(model.resolve("config.pbtxt"), "platform: \"onnxruntime_onnx\"\n");
    for (String v : new String[] {"1", "2"}) {
      Files.createDirectories(model.resolve(v));
      Files.writeString(model.resolve(v + "/model.onnx"), "weights " + v);
    }
  }

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return Main.execute(cli, args);
  }

  private void keygenAndSign() throws Exception {
    assertThat(run("sign", "keygen", "--out-dir", dir.resolve("keys").toString(), "--name", "rel"))
        .isZero();
    Files.createDirectories(dir.resolve("trust"));
    Files.copy(dir.resolve("keys/rel.pem"), dir.resolve("trust/rel.pem"));
    assertThat(
            run("sign", "model", "--key", dir.resolve("keys/rel.key").toString(), model.toString()))
        .isZero();
  }

  @Test
  void shouldSignEveryVersionAndVerifyThem() throws Exception {
    keygenAndSign();

    assertThat(Files.exists(model.resolve("1/MODEL.sig"))).isTrue();
    assertThat(Files.exists(model.resolve("2/MODEL.sig"))).isTrue();
    assertThat(
            run(
                "sign",
                "verify",
                "--model-trust-keys",
                dir.resolve("trust").toString(),
                model.toString()))
        .isZero();
    assertThat(out.toString())
        .contains("'m' version 1: OK, signed by 'rel'")
        .contains("'m' version 2: OK, signed by 'rel'");
  }

  @Test
  void shouldWriteTheSignatureWithTheModesOfAnyNewFileWhenSigning() throws Exception {
    // A server running as another user must be able to read MODEL.sig: it is public, like the
    // model files, so it gets what the umask gives a new file, not owner-only.
    Path plain = Files.createFile(dir.resolve("plain"));

    keygenAndSign();

    assertThat(Files.getPosixFilePermissions(model.resolve("1/MODEL.sig")))
        .isEqualTo(Files.getPosixFilePermissions(plain));
  }

  @Test
  void shouldExitWithOneWhenAVersionDoesNotVerify() throws Exception {
    keygenAndSign();
    Files.writeString(model.resolve("2/model.onnx"), "tampered");

    assertThat(
            run(
                "sign",
                "verify",
                "--model-trust-keys",
                dir.resolve("trust").toString(),
                model.toString()))
        .isEqualTo(1);
    assertThat(out.toString())
        .contains(
            "'m' version 2: REFUSED (mismatch): version 2 does not match its signature:"
                + " 'model.onnx' changed");
  }

  @Test
  void shouldRefuseToOverwriteAKey() throws Exception {
    keygenAndSign();

    assertThat(run("sign", "keygen", "--out-dir", dir.resolve("keys").toString(), "--name", "rel"))
        .isNotZero();
  }

  @Test
  void shouldRefuseASigningKeyWithoutItsPublicKey() throws Exception {
    keygenAndSign();
    Files.delete(dir.resolve("keys/rel.pem"));

    assertThat(
            run("sign", "model", "--key", dir.resolve("keys/rel.key").toString(), model.toString()))
        .isEqualTo(2);
  }
}
