package io.tensorgate.server.cli;

import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.server.provenance.ModelManifest;
import io.tensorgate.server.provenance.ModelSignature;
import io.tensorgate.server.provenance.ModelSigner;
import io.tensorgate.server.provenance.ModelVerifier;
import io.tensorgate.server.provenance.Provenance;
import io.tensorgate.server.provenance.SignatureVerifier;
import io.tensorgate.server.provenance.TrustedKeys;
import io.tensorgate.server.repository.ConfigException;
import io.tensorgate.server.repository.ConfigReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tensorgate sign}: makes Ed25519 signing keys, signs model versions ({@code
 * <model>/<version>/MODEL.sig}) and checks them as a server with {@code --model-trust-keys} would.
 * Exit status 0 when everything asked for worked, 1 when a version failed, 2 for a bad command
 * line.
 */
@Command(
    name = "sign",
    description = "Make signing keys, sign model versions, check signatures.",
    subcommands = {SignCommand.Keygen.class, SignCommand.Model.class, SignCommand.Verify.class})
public final class SignCommand implements Callable<Integer> {
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,18}");
  private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  @Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin Help help;

  /** {@code -h}/{@code --help} on every sign command. */
  static final class Help {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  private static int failed(CommandLine.Model.CommandSpec spec, String message) {
    spec.commandLine().getErr().println("tensorgate sign: " + message);
    spec.commandLine().getErr().flush();
    return 1;
  }

  /** {@code tensorgate sign keygen}. */
  @Command(
      name = "keygen",
      description =
          "Write a new key pair: <dir>/<name>.key (private, mode 600) and <dir>/<name>.pem (public;"
              + " copy it into the servers' --model-trust-keys folder).",
      sortOptions = false)
  static final class Keygen implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Help help;

    @Option(names = "--out-dir", required = true, paramLabel = "<dir>")
    Path dir;

    @Option(
        names = "--name",
        required = true,
        paramLabel = "<name>",
        description = "The key's name; servers report it as the signer.")
    String name;

    @Override
    public Integer call() {
      if (!KEY_NAME.matcher(name).matches()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--name: letters, digits, '.', '_' and '-' only, got '" + name + "'");
      }
      KeyPair pair = ModelSigner.generate();
      try {
        ModelSigner.write(pair, dir, name);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return failed(
            spec, "a key named '" + name + "' exists already in " + dir + "; not replaced");
      } catch (IOException e) {
        return failed(spec, "cannot write the keys into " + dir + ": " + e);
      }
      spec.commandLine()
          .getOut()
          .printf(
              "wrote %s (private) and %s (public), key id %s%n",
              dir.resolve(name + ".key"),
              dir.resolve(name + ".pem"),
              TrustedKeys.keyId(pair.getPublic()));
      return 0;
    }
  }

  /** What {@code model} and {@code verify} share: which folder, which versions, which config. */
  abstract static class VersionsOf {
    @Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Help help;

    @Parameters(index = "0", paramLabel = "<model-dir>", description = "The model's folder.")
    Path modelDir;

    @Parameters(
        index = "1..*",
        paramLabel = "<version>",
        description = "Versions to handle (default: every numeric version folder).")
    List<String> versions = new ArrayList<>();

    @Option(
        names = "--model-name",
        paramLabel = "<name>",
        description = "The model's name as served (default: the folder's name).")
    String modelName;

    @Option(
        names = "--model-config-name",
        paramLabel = "<name>",
        description = "As the server's flag: sign configs/<name>.pbtxt where it exists.")
    String configName = "";

    String name() {
      return modelName != null
          ? modelName
          : modelDir.toAbsolutePath().normalize().getFileName().toString();
    }

    ModelConfig config() {
      Path file = ConfigReader.configFile(modelDir, configName);
      try {
        return ConfigReader.readTextFile(file, modelDir.relativize(file).toString());
      } catch (ConfigException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
    }

    List<Long> versionNumbers() throws IOException {
      List<Long> out = new ArrayList<>();
      if (versions.isEmpty()) {
        try (Stream<Path> s = Files.list(modelDir)) {
          s.filter(Files::isDirectory)
              .map(p -> p.getFileName().toString())
              .filter(n -> VERSION.matcher(n).matches())
              .map(Long::parseLong)
              .sorted()
              .forEach(out::add);
        }
        if (out.isEmpty()) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), modelDir + " has no version folder");
        }
        return out;
      }
      for (String v : versions) {
        if (!VERSION.matcher(v).matches() || !Files.isDirectory(modelDir.resolve(v))) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "no version folder '" + v + "' in " + modelDir);
        }
        out.add(Long.parseLong(v));
      }
      return out;
    }
  }

  /** {@code tensorgate sign model}. */
  @Command(
      name = "model",
      description =
          "Sign versions of a model folder: writes <model-dir>/<version>/MODEL.sig over every file"
              + " of the version and the model's configuration.",
      sortOptions = false)
  static final class Model extends VersionsOf implements Callable<Integer> {
    @Option(names = "--key", required = true, paramLabel = "<file>", description = "Private key.")
    Path key;

    @Option(
        names = "--public-key",
        paramLabel = "<file>",
        description = "Its public key (default: the --key file with .pem for .key).")
    Path publicKey;

    @Override
    public Integer call() throws IOException {
      Path pub = publicKey != null ? publicKey : defaultPublicKey(key);
      for (Path f : new Path[] {key, pub}) {
        if (!Files.isRegularFile(f)) {
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              "no key file " + f + (f == pub ? " (give the public key with --public-key)" : ""));
        }
      }
      ModelSigner signer;
      try {
        signer = ModelSigner.read(key, pub);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      ModelConfig config = config();
      PrintWriter out = spec.commandLine().getOut();
      int failed = 0;
      for (long v : versionNumbers()) {
        Path dir = modelDir.resolve(Long.toString(v));
        try {
          ModelSignature sig = signer.sign(ModelManifest.of(name(), v, config, dir));
          ModelSigner.write(sig, dir);
          out.printf(
              "signed '%s' version %d: %d files, manifest %s, key %s%n",
              name(), v, sig.manifest().fileCount(), sig.manifest().digest(), signer.keyId());
        } catch (ModelManifest.ManifestException e) {
          spec.commandLine().getErr().printf("version %d not signed: %s%n", v, e.getMessage());
          failed++;
        }
      }
      out.flush();
      return failed == 0 ? 0 : 1;
    }

    private static Path defaultPublicKey(Path key) {
      String n = key.getFileName().toString();
      String base = n.endsWith(".key") ? n.substring(0, n.length() - 4) : n;
      return key.resolveSibling(base + ".pem");
    }
  }

  /** {@code tensorgate sign verify}. */
  @Command(
      name = "verify",
      description =
          "Check versions as a server with --model-trust-keys would, without loading them.",
      sortOptions = false)
  static final class Verify extends VersionsOf implements Callable<Integer> {
    @Option(
        names = "--model-trust-keys",
        required = true,
        paramLabel = "<dir>",
        description = "Folder of trusted public keys (*.pem).")
    Path trustKeys;

    @Override
    public Integer call() throws IOException {
      TrustedKeys keys;
      try {
        keys = TrustedKeys.read(trustKeys);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      SignatureVerifier verifier = new SignatureVerifier(keys);
      ModelConfig config = config();
      PrintWriter out = spec.commandLine().getOut();
      int failed = 0;
      for (long v : versionNumbers()) {
        try {
          Provenance p = verifier.verify(name(), v, config, modelDir.resolve(Long.toString(v)));
          out.printf(
              "'%s' version %d: OK, signed by '%s', manifest %s%n",
              name(), v, p.signer(), p.digest());
        } catch (ModelVerifier.Refusal e) {
          out.printf(
              "'%s' version %d: REFUSED (%s): %s%n", name(), v, e.reason().label(), e.getMessage());
          failed++;
        }
      }
      out.flush();
      return failed == 0 ? 0 : 1;
    }
  }
}
