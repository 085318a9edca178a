package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import java.util.LinkedHashMap;
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

  /**
   * Refuses a request whose input shapes no profile accepts.
   *
   * @param inputs one request's inputs, with their full shapes
   * @throws InferenceException INVALID_ARGUMENT naming the shapes and the profiles
   */
  void check(String model, List<Tensor> inputs) throws InferenceException {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Tensor t : inputs) {
      shapes.put(t.name(), t.shape());
    }
    if (select(shapes, -1) < 0) {
      throw new InferenceException(ErrorCode.INVALID_ARGUMENT, rejection(model, shapes));
    }
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
