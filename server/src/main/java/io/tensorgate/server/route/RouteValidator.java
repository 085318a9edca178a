package io.tensorgate.server.route;

import io.grpc.Status;
import io.grpc.StatusException;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.Shadow;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelInput;
import io.tensorgate.proto.inference.ModelOutput;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a routing before any traffic moves: every version it names is READY, weights and fractions
 * are in range, and canary and shadow have the stable version's signature. Fills in the stable
 * version when a canary is set without one (the highest READY version other than the canary), so
 * "latest" never silently means the canary.
 */
final class RouteValidator {
  private final ModelRegistry registry;

  RouteValidator(ModelRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The routing as it will be installed. */
  ModelRouting validate(String model, ModelRouting r) throws StatusException {
    ModelRegistry.ServedModel m = registry.get(model);
    if (m == null || m.ready().isEmpty()) {
      throw status(Status.NOT_FOUND, "model '" + model + "' has no READY version");
    }
    ModelRouting.Builder out = r.toBuilder();
    for (Map.Entry<String, Long> l : r.getLabelsMap().entrySet()) {
      String label = l.getKey();
      if (label.isEmpty() || !Character.isLetter(label.charAt(0))) {
        throw status(Status.INVALID_ARGUMENT, "label '" + label + "' must start with a letter");
      }
      ready(m, l.getValue(), "label '" + label + "'");
    }
    long canary = r.getCanary().getVersion();
    double weight = r.getCanary().getWeightPercent();
    if (canary < 0 || r.getStableVersion() < 0) {
      throw status(Status.INVALID_ARGUMENT, "versions must be positive");
    }
    if (!(weight >= 0 && weight <= 100)) {
      throw status(
          Status.INVALID_ARGUMENT, "canary weight_percent must be 0 to 100, got " + weight);
    }
    long stable = r.getStableVersion();
    if (stable > 0) {
      ready(m, stable, "stable version");
    }
    if (canary == 0) {
      out.clearCanary();
    } else {
      LoadedVersion c = ready(m, canary, "canary");
      if (stable == 0) {
        stable =
            m.ready().descendingKeySet().stream()
                .filter(v -> v != canary)
                .findFirst()
                .orElseThrow(
                    () ->
                        status(
                            Status.FAILED_PRECONDITION,
                            "model '" + model + "' has no READY version besides canary " + canary));
        out.setStableVersion(stable);
      }
      if (stable == canary) {
        throw status(Status.INVALID_ARGUMENT, "canary and stable are both version " + canary);
      }
      sameSignature(m.ready().get(stable), c, "canary");
    }
    LoadedVersion primary = stable > 0 ? m.ready().get(stable) : m.latest();
    Shadow s = r.getShadow();
    if (s.getVersion() < 0
        || !(s.getFraction() >= 0 && s.getFraction() <= 1)
        || !(s.getAbsTolerance() >= 0)
        || !(s.getRelTolerance() >= 0)) {
      throw status(
          Status.INVALID_ARGUMENT,
          "shadow fraction must be 0 to 1, version and tolerances not negative");
    }
    if (s.getVersion() > 0) {
      String shadowModel = s.getModelName().isEmpty() ? model : s.getModelName();
      ModelRegistry.ServedModel sm = registry.get(shadowModel);
      if (sm == null) {
        throw status(Status.NOT_FOUND, "shadow model '" + shadowModel + "' is not served");
      }
      sameSignature(primary, ready(sm, s.getVersion(), "shadow"), "shadow");
    } else {
      out.clearShadow();
    }
    if (r.hasRollout()) {
      checkPolicy(r.getRollout());
    }
    return out.build();
  }

  private static void checkPolicy(RolloutPolicy p) throws StatusException {
    double last = 0;
    for (double step : p.getStepsPercentList()) {
      if (!(step > last && step <= 100)) {
        throw status(
            Status.INVALID_ARGUMENT,
            "rollout steps_percent must rise within (0, 100], got " + p.getStepsPercentList());
      }
      last = step;
    }
    if (!(p.getMinDwellSeconds() >= 0)
        || !(p.getWindowSeconds() >= 0)
        || !(p.getMaxErrorRate() >= 0 && p.getMaxErrorRate() <= 1)
        || !(p.getMaxMismatchRate() >= 0 && p.getMaxMismatchRate() <= 1)
        || !(p.getMaxP99Ratio() >= 0)
        || !(p.getMinP99DeltaMs() >= 0 && p.getMinP99DeltaMs() < Double.POSITIVE_INFINITY)) {
      throw status(
          Status.INVALID_ARGUMENT,
          "rollout: dwell, window and min_p99_delta_ms must not be negative, rates must be 0 to 1");
    }
  }

  private static LoadedVersion ready(ModelRegistry.ServedModel m, long version, String what)
      throws StatusException {
    LoadedVersion v = m.ready().get(version);
    if (v == null) {
      throw status(
          Status.NOT_FOUND,
          what + ": model '" + m.name() + "' version " + version + " is not READY");
    }
    return v;
  }

  /** Same inputs and outputs (names, types, dims) and the same batching. */
  static void sameSignature(LoadedVersion a, LoadedVersion b, String what) throws StatusException {
    ModelConfig x = a.config();
    ModelConfig y = b.config();
    String diff = null;
    if (x.getMaxBatchSize() != y.getMaxBatchSize()) {
      diff = "max_batch_size " + x.getMaxBatchSize() + " vs " + y.getMaxBatchSize();
    } else if (!inputs(x).equals(inputs(y))) {
      diff = "inputs " + inputs(x) + " vs " + inputs(y);
    } else if (!outputs(x).equals(outputs(y))) {
      diff = "outputs " + outputs(x) + " vs " + outputs(y);
    }
    if (diff != null) {
      throw status(
          Status.FAILED_PRECONDITION,
          what
              + " '"
              + b.name()
              + "' version "
              + b.version()
              + " has a different signature from '"
              + a.name()
              + "' version "
              + a.version()
              + ": "
              + diff);
    }
  }

  private static String inputs(ModelConfig c) {
    StringBuilder sb = new StringBuilder();
    for (ModelInput i : c.getInputList()) {
      sb.append(i.getName())
          .append(':')
          .append(i.getDataType())
          .append(i.getDimsList())
          .append(' ');
    }
    return sb.toString().trim();
  }

  private static String outputs(ModelConfig c) {
    StringBuilder sb = new StringBuilder();
    for (ModelOutput o : c.getOutputList()) {
      sb.append(o.getName())
          .append(':')
          .append(o.getDataType())
          .append(o.getDimsList())
          .append(' ');
    }
    return sb.toString().trim();
  }

  static StatusException status(Status s, String message) {
    return s.withDescription(message).asException();
  }
}
