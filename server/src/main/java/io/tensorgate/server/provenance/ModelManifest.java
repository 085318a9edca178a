package io.tensorgate.server.provenance;

import com.google.protobuf.CodedOutputStream;
import io.tensorgate.proto.inference.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a model version's signature covers, as canonical text:
 *
 * <pre>
 * tensorgate model manifest v1
 * model simple
 * version 1
 * config 5e1f...   (SHA-256 of the configuration, see below)
 * file 9a0c... model.onnx
 * file 77d2... sub/weights.bin
 * </pre>
 *
 * <p>One {@code file} line per regular file under the version folder (links followed), with its
 * SHA-256 and its path relative to the version folder ('/'-separated), sorted by the paths' UTF-8
 * bytes; {@code MODEL.sig} itself is left out. Lines end with '\n'. The configuration is hashed as
 * parsed, not as written: the SHA-256 of the {@code ModelConfig} message without its {@code name}
 * (the manifest names the model), in protobuf's deterministic binary form. So {@code config.pbtxt}
 * and the JSON {@code config} of a RepositoryModelLoad override that say the same thing have the
 * same digest, and a comment or a reordering changes nothing. Immutable.
 */
public final class ModelManifest {
  static final String HEADER = "tensorgate model manifest v1";

  /** The signature file in a version folder, which the manifest does not list. */
  public static final String SIGNATURE_FILE = "MODEL.sig";

  /** More files than this in one version folder are refused rather than hashed. */
  static final int MAX_FILES = 100_000;

  private static final Comparator<String> UTF8_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  private final String model;
  private final long version;
  private final String configDigest;
  private final SortedMap<String, String> files;
  private final String text;

  ModelManifest(String model, long version, String configDigest, Map<String, String> files) {
    this.model = Objects.requireNonNull(model, "model");
    this.version = version;
    this.configDigest = Objects.requireNonNull(configDigest, "configDigest");
    TreeMap<String, String> sorted = new TreeMap<>(UTF8_ORDER);
    sorted.putAll(files);
    this.files = Collections.unmodifiableSortedMap(sorted);
    StringBuilder sb = new StringBuilder(128 + 96 * sorted.size());
    sb.append(HEADER).append('\n');
    sb.append("model ").append(model).append('\n');
    sb.append("version ").append(version).append('\n');
    sb.append("config ").append(configDigest).append('\n');
    sorted.forEach(
        (path, sha) -> sb.append("file ").append(sha).append(' ').append(path).append('\n'));
    this.text = sb.toString();
  }

  /** Thrown when a folder cannot be described by a manifest, or a manifest text is malformed. */
  public static final class ManifestException extends Exception {
    private static final long serialVersionUID = 1L;

    ManifestException(String message) {
      super(message);
    }
  }

  /**
   * Hashes a version folder and its configuration.
   *
   * @param rawConfig the configuration as read (before auto-completion)
   * @throws ManifestException when a file name cannot be written in the manifest or there are too
   *     many files
   * @throws IOException when the folder cannot be read
   */
  public static ModelManifest of(String model, long version, ModelConfig rawConfig, Path versionDir)
      throws IOException, ManifestException {
    requirePrintable(model, "the model name");
    Map<String, String> files = new TreeMap<>();
    byte[] buffer = new byte[1 << 20];
    MessageDigest sha = Hex.sha256();
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(versionDir, FileVisitOption.FOLLOW_LINKS)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p)) {
          if (paths.size() >= MAX_FILES) {
            throw new ManifestException(
                "version " + version + " holds more than " + MAX_FILES + " files");
          }
          paths.add(p);
        }
      }
    } catch (java.io.UncheckedIOException e) {
      if (e.getCause() instanceof FileSystemLoopException) {
        throw new ManifestException("version " + version + " has a link that loops");
      }
      throw e.getCause();
    }
    for (Path p : paths) {
      String rel = relative(versionDir, p);
      if (rel.equals(SIGNATURE_FILE)) {
        continue;
      }
      requirePrintable(rel, "file name '" + printable(rel) + "'");
      sha.reset();
      try (InputStream in = Files.newInputStream(p)) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          sha.update(buffer, 0, n);
        }
      }
      files.put(rel, Hex.of(sha.digest()));
    }
    return new ModelManifest(model, version, configDigest(rawConfig), files);
  }

  /** The SHA-256 of a configuration as the manifest lists it. */
  static String configDigest(ModelConfig config) {
    ModelConfig c = config.toBuilder().clearName().build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(c.getSerializedSize());
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      c.writeTo(out);
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return Hex.sha256(bytes.toByteArray());
  }

  /**
   * Parses manifest text (as embedded in a signature file).
   *
   * @throws ManifestException when it is not a manifest in the canonical form
   */
  static ModelManifest parse(String text) throws ManifestException {
    String[] lines = text.split("\n", -1);
    if (lines.length < 5 || !lines[0].equals(HEADER) || !lines[lines.length - 1].isEmpty()) {
      throw new ManifestException("the manifest does not start with '" + HEADER + "'");
    }
    String model = field(lines[1], "model ");
    long version;
    try {
      version = Long.parseLong(field(lines[2], "version "));
    } catch (NumberFormatException e) {
      throw new ManifestException("the manifest's version is not a number");
    }
    String config = field(lines[3], "config ");
    Map<String, String> files = new TreeMap<>();
    for (int i = 4; i < lines.length - 1; i++) {
      String rest = field(lines[i], "file ");
      int space = rest.indexOf(' ');
      if (space != 64 || !Hex.isHex(rest.substring(0, 64), 64) || rest.length() == 65) {
        throw new ManifestException("manifest line " + (i + 1) + " is not 'file <sha256> <path>'");
      }
      files.put(rest.substring(65), rest.substring(0, 64));
    }
    ModelManifest m = new ModelManifest(model, version, config, files);
    if (!m.text.equals(text)) {
      throw new ManifestException("the manifest is not in canonical form");
    }
    return m;
  }

  private static String field(String line, String prefix) throws ManifestException {
    if (!line.startsWith(prefix)) {
      throw new ManifestException(
          "manifest line '" + printable(line) + "' is not '" + prefix + "...'");
    }
    return line.substring(prefix.length());
  }

  /**
   * How {@code actual} (what the folder holds now) differs from this manifest (what was signed), in
   * words, at most {@code max} items; empty when they are the same.
   */
  List<String> differences(ModelManifest actual, int max) {
    List<String> out = new ArrayList<>();
    if (!model.equals(actual.model)) {
      out.add("it was signed for model '" + printable(model) + "'");
    }
    if (version != actual.version) {
      out.add("it was signed for version " + version);
    }
    if (!configDigest.equals(actual.configDigest)) {
      out.add("the configuration changed");
    }
    for (Map.Entry<String, String> e : files.entrySet()) {
      String now = actual.files.get(e.getKey());
      if (now == null) {
        out.add("'" + e.getKey() + "' is missing");
      } else if (!now.equals(e.getValue())) {
        out.add("'" + e.getKey() + "' changed");
      }
    }
    for (String path : actual.files.keySet()) {
      if (!files.containsKey(path)) {
        out.add("'" + path + "' was added");
      }
    }
    if (out.size() > max) {
      int more = out.size() - max;
      out = new ArrayList<>(out.subList(0, max));
      out.add(more + " more");
    }
    return out;
  }

  public String model() {
    return model;
  }

  public long version() {
    return version;
  }

  /** The canonical text that is signed. */
  public String text() {
    return text;
  }

  public byte[] bytes() {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The manifest's identity: {@code sha256:<hex>} of its text. */
  public String digest() {
    return "sha256:" + Hex.sha256(bytes());
  }

  /** How many files it lists. */
  public int fileCount() {
    return files.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelManifest m && m.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  private static String relative(Path dir, Path file) {
    StringBuilder sb = new StringBuilder();
    for (Path part : dir.relativize(file)) {
      sb.append(sb.length() == 0 ? "" : "/").append(part);
    }
    return sb.toString();
  }

  /** Control characters would break the line format; such names are refused, not escaped. */
  private static void requirePrintable(String s, String what) throws ManifestException {
    if (s.isEmpty() || s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new ManifestException(what + " has a control character and cannot be signed");
    }
  }

  /** A name for a message: control characters as '?', at most 64 characters. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return s.length() > 64 ? sb + "..." : sb.toString();
  }
}
