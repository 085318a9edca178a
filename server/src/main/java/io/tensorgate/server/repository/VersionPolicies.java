package io.tensorgate.server.repository;

import io.tensorgate.proto.inference.ModelVersionPolicy;
import java.util.NavigableSet;
import java.util.TreeSet;

/** Which of the version folders present a model's {@code version_policy} serves. */
final class VersionPolicies {
  private VersionPolicies() {}

  /** The versions to serve, ascending; may name versions that are not present (specific). */
  static NavigableSet<Long> select(ModelVersionPolicy policy, NavigableSet<Long> present) {
    NavigableSet<Long> out = new TreeSet<>();
    switch (policy.getPolicyChoiceCase()) {
      case ALL:
        out.addAll(present);
        break;
      case SPECIFIC:
        out.addAll(policy.getSpecific().getVersionsList());
        break;
      default:
        int n = Math.max(1, policy.getLatest().getNumVersions());
        for (Long v : present.descendingSet()) {
          if (out.size() == n) {
            break;
          }
          out.add(v);
        }
    }
    return out;
  }
}
