package io.tensorgate.server.provenance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The public keys whose signatures a server accepts: every {@code *.pem} file of the {@code
 * --model-trust-keys} folder, one Ed25519 public key each, named by the file (without {@code
 * .pem}). A key's id is the first 16 hex digits of the SHA-256 of its X.509 encoding. Immutable.
 */
public final class TrustedKeys {
  static final int KEY_ID_LENGTH = 16;

  /** A trusted key: its name (the file's), its id and the key. */
  public record Key(String name, String id, PublicKey key) {}

  private final Map<String, Key> byId;

  private TrustedKeys(Map<String, Key> byId) {
    this.byId = Collections.unmodifiableMap(byId);
  }

  /**
   * Reads the folder's {@code *.pem} files.
   *
   * @throws IllegalArgumentException naming the file that is not an Ed25519 public key, when two
   *     files hold the same key, or when there is no key at all
   * @throws IOException when the folder cannot be read
   */
  public static TrustedKeys read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--model-trust-keys: " + dir + " is not a folder");
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().endsWith(".pem") && Files.isRegularFile(p))
          .sorted()
          .forEach(files::add);
    }
    Map<String, Key> keys = new TreeMap<>();
    for (Path f : files) {
      String file = f.getFileName().toString();
      String name = file.substring(0, file.length() - ".pem".length());
      PublicKey key;
      try {
        key = Pem.publicKey(Files.readString(f, StandardCharsets.US_ASCII));
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalArgumentException(
            "--model-trust-keys: "
                + file
                + " is not an Ed25519 public key in PEM: "
                + e.getMessage(),
            e);
      }
      String id = keyId(key);
      Key before = keys.put(id, new Key(name, id, key));
      if (before != null) {
        throw new IllegalArgumentException(
            "--model-trust-keys: " + before.name() + ".pem and " + file + " hold the same key");
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          "--model-trust-keys: "
              + dir
              + " holds no public key (*.pem); every model would be refused");
    }
    return new TrustedKeys(keys);
  }

  /** Trusts exactly these keys, by name (tests). */
  public static TrustedKeys of(Map<String, PublicKey> keys) {
    Map<String, Key> byId = new TreeMap<>();
    keys.forEach((name, k) -> byId.put(keyId(k), new Key(name, keyId(k), k)));
    return new TrustedKeys(byId);
  }

  /** The key of that id, or {@code null}. */
  Key byId(String id) {
    return byId.get(id);
  }

  public int size() {
    return byId.size();
  }

  /** The key's id: the first 16 hex digits of the SHA-256 of its X.509 encoding. */
  public static String keyId(PublicKey key) {
    return Hex.sha256(key.getEncoded()).substring(0, KEY_ID_LENGTH);
  }
}
