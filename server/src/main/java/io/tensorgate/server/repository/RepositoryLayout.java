package io.tensorgate.server.repository;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Triton's repository layout, read safely: {@code <repo>/<model>/config.pbtxt} and numeric version
 * folders. Every path handed out lies inside the repository, also after following symbolic links;
 * names that could walk out of it are refused before any file is touched.
 */
public final class RepositoryLayout {
  public static final String CONFIG_FILE = "config.pbtxt";

  // Triton ignores version folders that are not numbers or have leading zeros.
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");

  private final Path root;
  private final Path realRoot;

  public RepositoryLayout(Path root) throws IOException {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    if (!Files.isDirectory(this.root)) {
      throw new IOException("model repository '" + root + "' is not a directory");
    }
    this.realRoot = this.root.toRealPath();
  }

  public Path root() {
    return root;
  }

  /** The root with every link resolved. */
  public Path realRoot() {
    return realRoot;
  }

  /**
   * Checks a model name as Triton does on load: not empty, no surrounding whitespace, no path
   * separators or parent references; also refuses hidden names, which Tensorgate reserves.
   *
   * @throws InferenceException INVALID_ARGUMENT with Triton's wording
   */
  public static void validateModelName(String name) throws InferenceException {
    String trimmed = name.strip();
    if (trimmed.isEmpty()) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "Model name cannot be empty. Please enter a valid name to deploy.");
    }
    if (!trimmed.equals(name)
        || trimmed.equals("..")
        || trimmed.contains("/")
        || trimmed.contains("\\")
        || trimmed.indexOf('\0') >= 0) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "invalid model name '"
              + name
              + "', model name must not contain path traversal characters");
    }
    if (trimmed.startsWith(".")) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "invalid model name '" + name + "', names starting with '.' are reserved");
    }
  }

  /** The model names present: sub-folders with valid names, sorted. */
  public List<String> modelNames() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> children = Files.list(root)) {
      for (Path p : (Iterable<Path>) children::iterator) {
        String n = p.getFileName().toString();
        if (Files.isDirectory(p) && isValidName(n)) {
          names.add(n);
        }
      }
    }
    names.sort(null);
    return names;
  }

  private static boolean isValidName(String n) {
    try {
      validateModelName(n);
      return true;
    } catch (InferenceException e) {
      return false;
    }
  }

  /**
   * The folder of a model, checked to stay inside the repository.
   *
   * @throws InferenceException INVALID_ARGUMENT for a bad name or a link leaving the repository,
   *     NOT_FOUND when there is no such model folder
   */
  public Path modelDirectory(String name) throws InferenceException {
    validateModelName(name);
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new InferenceException(
          ErrorCode.NOT_FOUND, "failed to load '" + name + "', no version is available");
    }
    requireInside(dir, name);
    return dir;
  }

  /** Whether a model folder exists for the name. */
  public boolean hasModel(String name) {
    return isValidName(name) && Files.isDirectory(root.resolve(name));
  }

  /**
   * The numeric version folders of a model folder, by version, each checked to stay inside the
   * repository.
   */
  public NavigableMap<Long, Path> versionDirectories(Path modelDir) throws IOException {
    NavigableMap<Long, Path> versions = new TreeMap<>();
    try (Stream<Path> children = Files.list(modelDir)) {
      for (Path p : (Iterable<Path>) children::iterator) {
        String n = p.getFileName().toString();
        if (VERSION.matcher(n).matches() && Files.isDirectory(p) && isInside(p)) {
          versions.put(Long.parseLong(n), p);
        }
      }
    }
    return versions;
  }

  /**
   * Resolves a file name given by a config (model file, label file) inside a folder.
   *
   * @throws InferenceException INVALID_ARGUMENT when the name would leave the folder
   */
  public Path resolveInside(Path dir, String fileName, String what) throws InferenceException {
    Path p = dir.resolve(fileName).normalize();
    if (!p.startsWith(dir) || p.equals(dir)) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          what + " '" + fileName + "' must name a file inside the model's folder");
    }
    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      requireInside(p, fileName);
    }
    return p;
  }

  private void requireInside(Path p, String name) throws InferenceException {
    if (!isInside(p)) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "'" + name + "' resolves outside the model repository; refusing to use it");
    }
  }

  private boolean isInside(Path p) {
    try {
      return p.toRealPath().startsWith(realRoot);
    } catch (IOException e) {
      return false;
    }
  }
}
