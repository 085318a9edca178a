package io.tensorgate.backend.tensorrt;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Chooses the optimization profile for a batch: the instance's current profile when it accepts the
 * batch's input shapes (switching profiles costs a {@code setOptimizationProfileAsync} on the
 * stream), otherwise the accepting profile with the lowest index. Immutable and thread-safe.
 */
final class ProfileSelector {
  private final List<OptimizationProfile> profiles;

  ProfileSelector(List<OptimizationProfile> profiles) {
    this.profiles = List.copyOf(Objects.requireNonNull(profiles, "profiles"));
  }

  /**
   * @param shapes the full shape of every input, by name
   * @param current the index of the profile the context uses now, or -1 for none
   * @return the profile index to use, or -1 when no profile accepts the shapes
   */
  int select(Map<String, long[]> shapes, int current) {
    if (current >= 0 && current < profiles.size() && profiles.get(current).accepts(shapes)) {
      return current;
    }
    for (OptimizationProfile p : profiles) {
      if (p.accepts(shapes)) {
        return p.index();
      }
    }
    return -1;
  }

  /** Why no profile accepts {@code shapes}, for a message to the client or the logs. */
  String rejection(String model, Map<String, long[]> shapes) {
    return "input shapes "
        + OptimizationProfile.describe(shapes)
        + " fit no optimization profile of model '"
        + model
        + "': "
        + profiles;
  }
}
