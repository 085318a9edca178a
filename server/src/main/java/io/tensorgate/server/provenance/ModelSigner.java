package io.tensorgate.server.provenance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;
import java.util.UUID;

/**
 * Makes Ed25519 key pairs and signs model versions: what {@code tensorgate sign} runs. A signing
 * key is a PKCS#8 PEM private key with its public key beside it ({@code <name>.key} and {@code
 * <name>.pem}); the public key gives the key id and checks every signature before it is written.
 */
public final class ModelSigner {
  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String keyId;

  private ModelSigner(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
    this.keyId = TrustedKeys.keyId(publicKey);
  }

  /** A signer with this key pair. */
  public static ModelSigner of(KeyPair pair) {
    return new ModelSigner(pair.getPrivate(), pair.getPublic());
  }

  /**
   * Reads a private key and its public key from PEM files.
   *
   * @throws IllegalArgumentException when a file holds no Ed25519 key of the expected kind or the
   *     two keys do not belong together
   */
  public static ModelSigner read(Path privateKeyFile, Path publicKeyFile) throws IOException {
    PrivateKey priv;
    PublicKey pub;
    try {
      priv = Pem.privateKey(Files.readString(privateKeyFile, StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          privateKeyFile + " is not an Ed25519 private key in PEM (PKCS#8): " + e.getMessage(), e);
    }
    try {
      pub = Pem.publicKey(Files.readString(publicKeyFile, StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          publicKeyFile + " is not an Ed25519 public key in PEM: " + e.getMessage(), e);
    }
    ModelSigner signer = new ModelSigner(priv, pub);
    byte[] probe = "tensorgate key pair check".getBytes(StandardCharsets.US_ASCII);
    if (!signer.verifies(probe, signer.rawSign(probe))) {
      throw new IllegalArgumentException(
          publicKeyFile + " is not the public key of " + privateKeyFile);
    }
    return signer;
  }

  /** A new random key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(Pem.ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java 17 runtime has Ed25519", e);
    }
  }

  /**
   * Writes {@code <dir>/<name>.key} (the private key, readable by its owner only) and {@code
   * <dir>/<name>.pem} (the public key, for --model-trust-keys folders).
   *
   * @throws FileAlreadyExistsException rather than overwrite a key
   */
  public static void write(KeyPair pair, Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path key = dir.resolve(name + ".key");
    Path pub = dir.resolve(name + ".pem");
    if (Files.exists(pub)) {
      throw new FileAlreadyExistsException(pub.toString());
    }
    Files.createFile(
        key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(key, Pem.privatePem(pair.getPrivate()), StandardCharsets.US_ASCII);
    Files.writeString(
        pub,
        Pem.publicPem(pair.getPublic()),
        StandardCharsets.US_ASCII,
        StandardOpenOption.CREATE_NEW);
  }

  public String keyId() {
    return keyId;
  }

  /** Signs a manifest. */
  public ModelSignature sign(ModelManifest manifest) {
    byte[] sig = rawSign(manifest.bytes());
    if (!verifies(manifest.bytes(), sig)) {
      throw new IllegalStateException("a fresh signature does not verify with the public key");
    }
    return new ModelSignature(keyId, sig, manifest);
  }

  /**
   * Writes the signature as {@code <versionDir>/MODEL.sig}, replacing the old one in one step. The
   * file gets the modes the umask gives any new file (a temporary file would be owner-only), so a
   * server running as another user can read it like the model files.
   */
  public static void write(ModelSignature signature, Path versionDir) throws IOException {
    Path tmp = versionDir.resolve(".MODEL.sig." + UUID.randomUUID() + ".tmp");
    try {
      Files.writeString(
          tmp, signature.text(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      Files.move(
          tmp,
          versionDir.resolve(ModelManifest.SIGNATURE_FILE),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private byte[] rawSign(byte[] message) {
    try {
      Signature s = Signature.getInstance(Pem.ALGORITHM);
      s.initSign(privateKey);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  private boolean verifies(byte[] message, byte[] signature) {
    try {
      Signature s = Signature.getInstance(Pem.ALGORITHM);
      s.initVerify(publicKey);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
