package io.tensorgate.server.provenance;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tensorgate.proto.inference.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads only versions signed by a trusted key over their current files ({@code
 * --model-trust-keys}): a version without {@code MODEL.sig}, signed by a key that is not trusted,
 * or whose files or configuration no longer match the signed manifest is refused. Refusals are
 * counted in {@code tensorgate_model_signature_refusals_total{reason}} once bound to a registry
 * (before any load); every reason's series exists from 0, so that an alert sees the first refusal.
 * Thread-safe.
 */
public final class SignatureVerifier implements ModelVerifier, MeterBinder {
  private static final Logger log = LoggerFactory.getLogger(SignatureVerifier.class);

  private final TrustedKeys keys;

  // Filled once by bindTo, before the first load.
  @GuardedBy("this")
  private final Map<Reason, Counter> refusals = new EnumMap<>(Reason.class);

  public SignatureVerifier(TrustedKeys keys) {
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  /** Registers the refusal counters; call once, before the first load. */
  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    for (Reason r : Reason.values()) {
      refusals.put(
          r,
          Counter.builder("tensorgate.model.signature.refusals")
              .description("Model version loads refused by signature checks (--model-trust-keys)")
              .tag("reason", r.label())
              .register(registry));
    }
  }

  @Override
  public Provenance verify(String model, long version, ModelConfig rawConfig, Path versionDir)
      throws Refusal {
    try {
      return check(model, version, rawConfig, versionDir);
    } catch (Refusal r) {
      Counter c;
      synchronized (this) {
        c = refusals.get(r.reason());
      }
      if (c != null) {
        c.increment();
      }
      throw r;
    }
  }

  private Provenance check(String model, long version, ModelConfig rawConfig, Path versionDir)
      throws Refusal {
    long t0 = System.nanoTime();
    ModelSignature sig;
    try {
      Path file = versionDir.resolve(ModelManifest.SIGNATURE_FILE);
      if (Files.size(file) > ModelSignature.MAX_BYTES) {
        throw new Refusal(
            Reason.INVALID, "MODEL.sig is larger than " + ModelSignature.MAX_BYTES + " bytes");
      }
      sig = ModelSignature.parse(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new Refusal(
          Reason.UNSIGNED,
          "version " + version + " is not signed (no MODEL.sig) and --model-trust-keys is set");
    } catch (IOException e) {
      throw new Refusal(Reason.INVALID, "MODEL.sig cannot be read");
    } catch (ModelManifest.ManifestException e) {
      throw new Refusal(Reason.INVALID, e.getMessage());
    }
    TrustedKeys.Key key = keys.byId(sig.keyId());
    if (key == null) {
      throw new Refusal(
          Reason.UNKNOWN_KEY,
          "version " + version + " is signed by key " + sig.keyId() + ", which is not trusted");
    }
    if (!verifies(key, sig.manifest().bytes(), sig.signature())) {
      throw new Refusal(
          Reason.MISMATCH,
          "the signature in MODEL.sig does not verify with key '" + key.name() + "'");
    }
    ModelManifest actual;
    try {
      actual = ModelManifest.of(model, version, rawConfig, versionDir);
    } catch (ModelManifest.ManifestException e) {
      throw new Refusal(Reason.INVALID, e.getMessage());
    } catch (IOException e) {
      throw new Refusal(Reason.INVALID, "the version's files cannot be read");
    }
    if (!actual.equals(sig.manifest())) {
      List<String> diff = sig.manifest().differences(actual, 5);
      throw new Refusal(
          Reason.MISMATCH,
          "version " + version + " does not match its signature: " + String.join(", ", diff));
    }
    Provenance p = new Provenance(actual.digest(), key.name(), key.id());
    log.info(
        "model '{}' version {}: {} files signed by '{}' (key {}), manifest {}, verified in {} ms",
        model,
        version,
        actual.fileCount(),
        key.name(),
        key.id(),
        p.digest(),
        (System.nanoTime() - t0) / 1_000_000);
    return p;
  }

  private static boolean verifies(TrustedKeys.Key key, byte[] message, byte[] signature) {
    try {
      Signature s = Signature.getInstance(Pem.ALGORITHM);
      s.initVerify(key.key());
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // a malformed signature verifies nothing
    }
  }
}
