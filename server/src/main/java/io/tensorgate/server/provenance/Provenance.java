package io.tensorgate.server.provenance;

import java.util.Objects;

/**
 * Where a loaded model version's files come from: the digest of its manifest ({@code sha256:<hex>})
 * and who signed it (the trusted key's name and id). {@link #UNVERIFIED} when signature checks are
 * off. Immutable.
 */
public record Provenance(String digest, String signer, String keyId) {
  /** A version loaded without signature checks: no digest, no signer. */
  public static final Provenance UNVERIFIED = new Provenance("", "", "");

  public Provenance {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(keyId, "keyId");
  }

  /** Whether the version's signature was checked. */
  public boolean verified() {
    return !digest.isEmpty();
  }
}
