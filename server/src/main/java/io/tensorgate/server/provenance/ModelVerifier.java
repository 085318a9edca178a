package io.tensorgate.server.provenance;

import io.tensorgate.proto.inference.ModelConfig;
import java.nio.file.Path;

/**
 * Decides whether a model version may load, before its backend sees any file. Called by the
 * repository's loader threads (several models at once), once per version load; may read every file
 * of the version.
 */
public interface ModelVerifier {
  /** Loads everything, checks nothing: {@link Provenance#UNVERIFIED}. */
  ModelVerifier NONE = (model, version, rawConfig, versionDir) -> Provenance.UNVERIFIED;

  /**
   * @param rawConfig the configuration as read, before auto-completion
   * @return the version's provenance when it may load
   * @throws Refusal when it must not, with the reason for RepositoryIndex (no server paths)
   */
  Provenance verify(String model, long version, ModelConfig rawConfig, Path versionDir)
      throws Refusal;

  /** Why a version is refused, as the metric's {@code reason} label says it. */
  enum Reason {
    UNSIGNED("unsigned"),
    UNKNOWN_KEY("unknown_key"),
    MISMATCH("mismatch"),
    INVALID("invalid");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** A version that must not load. */
  final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public Refusal(Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }
}
