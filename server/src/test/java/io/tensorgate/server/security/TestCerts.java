package io.tensorgate.server.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI made with the openssl command: a CA, a server certificate for localhost and
 * 127.0.0.1 and a client certificate signed by it, and a client certificate from another CA. EC
 * P-256 keys (fast to make), written as PKCS#8 PEM.
 */
public final class TestCerts {
  public final Path caCert;
  public final Path serverCert;
  public final Path serverKey;
  public final Path clientCert;
  public final Path clientKey;
  public final Path rogueCert;
  public final Path rogueKey;

  private TestCerts(Path dir) {
    caCert = dir.resolve("ca.pem");
    serverCert = dir.resolve("server.pem");
    serverKey = dir.resolve("server.key");
    clientCert = dir.resolve("client.pem");
    clientKey = dir.resolve("client.key");
    rogueCert = dir.resolve("rogue.pem");
    rogueKey = dir.resolve("rogue.key");
  }

  public static TestCerts create(Path dir) throws IOException, InterruptedException {
    TestCerts c = new TestCerts(dir);
    selfSigned(dir, "ca", "tensorgate-test-ca");
    selfSigned(dir, "rogue-ca", "someone-else");
    Path ext = dir.resolve("server.ext");
    Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    signed(dir, "server", "localhost", "ca", ext);
    signed(dir, "client", "tensorgate-test-client", "ca", null);
    signed(dir, "rogue", "tensorgate-test-client", "rogue-ca", null);
    return c;
  }

  private static void selfSigned(Path dir, String name, String cn)
      throws IOException, InterruptedException {
    openssl(
        dir,
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-subj",
        "/CN=" + cn);
  }

  private static void signed(Path dir, String name, String cn, String ca, Path ext)
      throws IOException, InterruptedException {
    openssl(
        dir,
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + cn);
    List<String> args =
        new ArrayList<>(
            List.of(
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                ca + ".pem",
                "-CAkey",
                ca + ".key",
                "-CAcreateserial",
                "-out",
                name + ".pem",
                "-days",
                "2"));
    if (ext != null) {
      args.addAll(List.of("-extfile", ext.toString()));
    }
    openssl(dir, args.toArray(String[]::new));
  }

  private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(
          "openssl "
              + String.join(" ", args)
              + " failed: "
              + Files.readString(dir.resolve("openssl.log")));
    }
  }
}
