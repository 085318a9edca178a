package io.tensorgate.server.repository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What RepositoryIndex and strict readiness report about each model: the state of every version a
 * load tried (READY, LOADING, UNLOADING, UNAVAILABLE with a reason) and, for a model that never got
 * as far as its versions, the model-level error (a configuration that does not parse or validate).
 *
 * <p>Thread-safe: each model's version map is replaced whole (immutable copies), so a reader sees
 * one load's states or the next one's.
 */
final class ModelStates {
  static final String READY = "READY";
  static final String UNAVAILABLE = "UNAVAILABLE";

  /**
   * The reason of a version taken out of service on request; it does not count against readiness.
   */
  static final String UNLOADED = "unloaded";

  /** A version's state and why. */
  record VersionStatus(String state, String reason) {}

  /** One row of RepositoryIndex. */
  record Row(String name, String version, String state, String reason) {}

  private final Map<String, Map<Long, VersionStatus>> versions = new ConcurrentHashMap<>();
  private final Map<String, String> errors = new ConcurrentHashMap<>();

  /** Sets one version's state, keeping the others. */
  void set(String model, long version, String state, String reason) {
    versions.compute(
        model,
        (k, prev) -> {
          Map<Long, VersionStatus> m = prev == null ? new TreeMap<>() : new TreeMap<>(prev);
          m.put(version, new VersionStatus(state, reason));
          return Map.copyOf(m);
        });
  }

  /** Replaces every version state of the model. */
  void replace(String model, Map<Long, VersionStatus> states) {
    versions.put(model, Map.copyOf(states));
  }

  Map<Long, VersionStatus> versions(String model) {
    return versions.getOrDefault(model, Map.of());
  }

  /** Records why the model could not get as far as loading versions. */
  void fail(String model, String reason) {
    errors.put(model, reason);
  }

  /** Forgets the model-level error: the model's configuration was read and checked again. */
  void clearError(String model) {
    errors.remove(model);
  }

  /**
   * RepositoryIndex, as Triton's: one row per version that has a state; one row without a version
   * for a model without any, UNAVAILABLE with its error when it has one.
   *
   * @param repositoryModels the model folders of the repository; models known only from loads
   *     (override files) are listed too
   */
  List<Row> index(Collection<String> repositoryModels, boolean readyOnly) {
    TreeSet<String> names = new TreeSet<>(repositoryModels);
    names.addAll(versions.keySet());
    List<Row> out = new ArrayList<>();
    for (String name : names) {
      Map<Long, VersionStatus> vs = versions(name);
      if (vs.isEmpty()) {
        String error = errors.get(name);
        if (!readyOnly) {
          out.add(
              error == null ? new Row(name, "", "", "") : new Row(name, "", UNAVAILABLE, error));
        }
        continue;
      }
      new TreeMap<>(vs)
          .forEach(
              (v, s) -> {
                if (!readyOnly || s.state().equals(READY)) {
                  out.add(new Row(name, Long.toString(v), s.state(), s.reason()));
                }
              });
    }
    return out;
  }

  /**
   * Triton's strict readiness: every model a load was asked for is available. A model counts
   * against it when one of its versions is in any state but READY (unless it was unloaded on
   * request), or when it has an error and no version at all.
   */
  boolean allAvailable() {
    return unavailable().isEmpty();
  }

  /** The models counting against readiness, by name; empty when all are available. */
  List<String> unavailable() {
    TreeSet<String> names = new TreeSet<>(versions.keySet());
    names.addAll(errors.keySet());
    List<String> out = new ArrayList<>();
    for (String name : names) {
      Map<Long, VersionStatus> vs = versions(name);
      if (vs.isEmpty()
          ? errors.containsKey(name)
          : vs.values().stream().anyMatch(s -> !available(s))) {
        out.add(name);
      }
    }
    return out;
  }

  private static boolean available(VersionStatus s) {
    return s.state().equals(READY)
        || (s.state().equals(UNAVAILABLE) && s.reason().equals(UNLOADED));
  }
}
