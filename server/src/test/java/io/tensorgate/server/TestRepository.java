package io.tensorgate.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** A model repository in a temporary folder, filled from the project's sample and test models. */
public final class TestRepository {
  /** The project root, found from the server module's working directory. */
  public static final Path PROJECT = findProject();

  private final Path root;

  public TestRepository(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  private static Path findProject() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("models"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("project root with models/ not found");
    }
    return p;
  }

  /** Copies a model of the sample repository ({@code models/<name>}). */
  public TestRepository withSampleModel(String name) {
    copyTree(PROJECT.resolve("models").resolve(name), root.resolve(name));
    return this;
  }

  /**
   * Adds a model from a test ONNX file ({@code testdata/onnx/<file>}) with the given config text
   * and version folders.
   */
  public TestRepository withModel(String name, String onnxFile, String config, long... versions) {
    try {
      Path dir = Files.createDirectories(root.resolve(name));
      if (config != null) {
        Files.writeString(dir.resolve("config.pbtxt"), config);
      }
      for (long v : versions) {
        Path vd = Files.createDirectories(dir.resolve(Long.toString(v)));
        Files.copy(
            PROJECT.resolve("testdata/onnx").resolve(onnxFile),
            vd.resolve("model.onnx"),
            StandardCopyOption.REPLACE_EXISTING);
      }
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Adds a model served by the test {@code GateBackend}: INPUT0 INT32 [16] copied to OUTPUT0, held
   * at the named gate.
   */
  public TestRepository withGateModel(String name, String gate, String extraConfig) {
    try {
      Path dir = Files.createDirectories(root.resolve(name).resolve("1"));
      Files.writeString(dir.resolve("model.gate"), "");
      Files.writeString(
          root.resolve(name).resolve("config.pbtxt"),
          "platform: \"tensorgate_gate\"\nmax_batch_size: 8\n"
              + "input [{ name: \"INPUT0\" data_type: TYPE_INT32 dims: [16] }]\n"
              + "output [{ name: \"OUTPUT0\" data_type: TYPE_INT32 dims: [16] }]\n"
              + "parameters { key: \"gate\" value: { string_value: \""
              + gate
              + "\" } }\n"
              + extraConfig);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Adds a model served by the test {@code FaultBackend}: INPUT0 INT32 [16] copied to OUTPUT0; a
   * request whose first element is {@code FaultBackend.THROW} or {@code HANG} injects that fault.
   */
  public TestRepository withFaultModel(String name, String extraConfig) {
    try {
      Path dir = Files.createDirectories(root.resolve(name).resolve("1"));
      Files.writeString(dir.resolve("model.fault"), "");
      Files.writeString(
          root.resolve(name).resolve("config.pbtxt"),
          "platform: \"tensorgate_fault\"\nmax_batch_size: 8\n"
              + "input [{ name: \"INPUT0\" data_type: TYPE_INT32 dims: [16] }]\n"
              + "output [{ name: \"OUTPUT0\" data_type: TYPE_INT32 dims: [16] }]\n"
              + "instance_group [{ count: 1 kind: KIND_CPU }]\n"
              + extraConfig);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds a version folder holding a copy of a test ONNX file. */
  public TestRepository withVersion(String name, long version, String onnxFile) {
    return withModel(name, onnxFile, null, version);
  }

  public static void copyTree(Path from, Path to) {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
