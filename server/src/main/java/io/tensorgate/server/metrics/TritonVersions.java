package io.tensorgate.server.metrics;

import io.tensorgate.server.repository.LoadedVersion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The versions Triton's families describe, one per (model, version) series. Bound and unbound on
 * the registry's listener thread, read by scrapes on the metrics thread.
 */
final class TritonVersions {
  /** A series' labels. */
  record Series(String model, String version) {}

  private final ConcurrentHashMap<Series, LoadedVersion> bound = new ConcurrentHashMap<>();

  void bind(LoadedVersion v) {
    bound.put(series(v), v);
  }

  /** Unbinds the version unless a reload has already bound its successor to the series. */
  void unbind(LoadedVersion v) {
    bound.remove(series(v), v);
  }

  /** The bound versions by model name, then version number. */
  List<LoadedVersion> sorted() {
    List<LoadedVersion> out = new ArrayList<>(bound.values());
    out.sort(Comparator.comparing(LoadedVersion::name).thenComparingLong(LoadedVersion::version));
    return out;
  }

  private static Series series(LoadedVersion v) {
    return new Series(v.name(), v.versionString());
  }
}
