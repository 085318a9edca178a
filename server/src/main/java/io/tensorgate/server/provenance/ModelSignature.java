package io.tensorgate.server.provenance;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * The content of {@code <model>/<version>/MODEL.sig}: the signing key's id, an Ed25519 signature
 * over the manifest's bytes, and the manifest itself (so that a mismatch can say which file
 * changed):
 *
 * <pre>
 * tensorgate model signature v1
 * key-id 3f9a0c1d2e4b5a69
 * signature &lt;base64 of the 64-byte Ed25519 signature&gt;
 *
 * tensorgate model manifest v1
 * ...
 * </pre>
 *
 * Immutable.
 */
public record ModelSignature(String keyId, byte[] signature, ModelManifest manifest) {
  static final String HEADER = "tensorgate model signature v1";

  /** Signature files larger than this are refused rather than read. */
  static final long MAX_BYTES = 32L << 20;

  public ModelSignature {
    Objects.requireNonNull(keyId, "keyId");
    signature = signature.clone();
    Objects.requireNonNull(manifest, "manifest");
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The file's text. */
  public String text() {
    return HEADER
        + "\nkey-id "
        + keyId
        + "\nsignature "
        + Base64.getEncoder().encodeToString(signature)
        + "\n\n"
        + manifest.text();
  }

  /**
   * Parses a signature file.
   *
   * @throws ModelManifest.ManifestException when it is not one
   */
  static ModelSignature parse(byte[] bytes) throws ModelManifest.ManifestException {
    String text = new String(bytes, StandardCharsets.UTF_8);
    String[] head = text.split("\n", 5);
    if (head.length < 5
        || !head[0].equals(HEADER)
        || !head[1].startsWith("key-id ")
        || !head[2].startsWith("signature ")
        || !head[3].isEmpty()) {
      throw new ModelManifest.ManifestException(
          "MODEL.sig is not a Tensorgate signature file ('" + HEADER + "', key-id, signature)");
    }
    String keyId = head[1].substring("key-id ".length());
    if (!Hex.isHex(keyId, TrustedKeys.KEY_ID_LENGTH)) {
      throw new ModelManifest.ManifestException("MODEL.sig has a malformed key-id");
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(head[2].substring("signature ".length()));
    } catch (IllegalArgumentException e) {
      throw new ModelManifest.ManifestException("MODEL.sig's signature is not base64");
    }
    return new ModelSignature(keyId, signature, ModelManifest.parse(head[4]));
  }
}
