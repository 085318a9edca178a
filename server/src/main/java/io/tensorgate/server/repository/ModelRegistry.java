package io.tensorgate.server.repository;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The versions in service, as one immutable snapshot behind a volatile reference: a request sees
 * the table before a change or after it, never half of each. Writers serialize on this object.
 */
public final class ModelRegistry {
  private volatile Map<String, ServedModel> models = Map.of();
  private final List<VersionListener> listeners = new CopyOnWriteArrayList<>();

  /**
   * Told when a version enters or leaves service, so side paths (metrics, drift, payload logs) can
   * set up and tear down per-version state exactly once.
   *
   * <p>Called on the thread that changes the registry (a loader or the unloader), under the
   * registry's write lock and in commit order: for one swap, every {@link #onRetired} comes before
   * any {@link #onReplaced}, and those before any {@link #onServing}, so a reloaded version can
   * reuse its predecessor's names. Must be quick and must not throw; requests already answered by a
   * retired version may still be finishing.
   */
  public interface VersionListener {
    void onServing(LoadedVersion version);

    void onRetired(LoadedVersion version);

    /**
     * A reload put {@code serving} in the place of {@code retired}, the same model version. By
     * default, {@link #onRetired} then {@link #onServing}.
     */
    default void onReplaced(LoadedVersion retired, LoadedVersion serving) {
      onRetired(retired);
      onServing(serving);
    }
  }

  /** Adds a listener; it is told only about changes made after this call. */
  public void addListener(VersionListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * A model's versions in service (READY, ascending) and those known but not ready, with why.
   * Immutable.
   */
  public record ServedModel(
      String name, NavigableMap<Long, LoadedVersion> ready, Map<Long, String> unavailable) {
    public ServedModel {
      Objects.requireNonNull(name, "name");
      ready = java.util.Collections.unmodifiableNavigableMap(new TreeMap<>(ready));
      unavailable = Map.copyOf(unavailable);
    }

    /** The highest READY version, or {@code null}. */
    public LoadedVersion latest() {
      Map.Entry<Long, LoadedVersion> e = ready.lastEntry();
      return e == null ? null : e.getValue();
    }
  }

  /** The model's entry, or {@code null} when the server never heard of it. */
  public ServedModel get(String name) {
    return models.get(name);
  }

  public Collection<ServedModel> all() {
    return models.values();
  }

  /**
   * Finds the version a request names: the highest READY one for an empty string, else that
   * version. Messages and codes follow Triton's.
   */
  public LoadedVersion resolve(String name, String version) throws InferenceException {
    ServedModel m = models.get(name);
    if (m == null) {
      throw new InferenceException(
          ErrorCode.NOT_FOUND, "Request for unknown model: '" + name + "' is not found");
    }
    if (version.isEmpty()) {
      LoadedVersion v = m.latest();
      if (v == null) {
        throw new InferenceException(
            ErrorCode.NOT_FOUND,
            "Request for unknown model: '" + name + "' has no available versions");
      }
      return v;
    }
    long n = parseVersion(version);
    LoadedVersion v = m.ready().get(n);
    if (v != null) {
      return v;
    }
    if (m.unavailable().containsKey(n)) {
      throw new InferenceException(
          ErrorCode.UNAVAILABLE,
          "Request for unknown model: '" + name + "' version " + n + " is not at ready state");
    }
    throw new InferenceException(
        ErrorCode.NOT_FOUND,
        "Request for unknown model: '" + name + "' version " + n + " is not found");
  }

  /** Parses a request's version string as Triton does: an integer above zero. */
  public static long parseVersion(String version) throws InferenceException {
    try {
      long n = Long.parseLong(version);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new InferenceException(
        ErrorCode.INVALID_ARGUMENT,
        "failed to get model version from specified version string '"
            + version
            + "', version should be an integral value > 0");
  }

  /**
   * Whether every version in service can run requests: none lost all its instances. Triton's strict
   * readiness makes the server not ready otherwise.
   */
  public boolean allServing() {
    for (ServedModel m : models.values()) {
      for (LoadedVersion v : m.ready().values()) {
        if (!v.isServing() && !v.isRetired()) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The start-up log's table: a line per version, READY or UNAVAILABLE with why, models by name.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder("models:");
    List<ServedModel> sorted = new ArrayList<>(models.values());
    sorted.sort(Comparator.comparing(ServedModel::name));
    for (ServedModel m : sorted) {
      for (LoadedVersion v : m.ready().values()) {
        sb.append("\n  ").append(v.name()).append(" version ").append(v.version()).append(" READY");
      }
      m.unavailable()
          .forEach(
              (v, reason) ->
                  sb.append("\n  ")
                      .append(m.name())
                      .append(" version ")
                      .append(v)
                      .append(" UNAVAILABLE: ")
                      .append(reason));
    }
    return sb.toString();
  }

  /** The requests in flight now on every version in service, together. */
  public long inFlight() {
    long n = 0;
    for (ServedModel m : models.values()) {
      for (LoadedVersion v : m.ready().values()) {
        n += v.inFlight();
      }
    }
    return n;
  }

  synchronized void put(ServedModel model) {
    ServedModel before = models.get(model.name());
    Map<String, ServedModel> next = new HashMap<>(models);
    next.put(model.name(), model);
    models = Map.copyOf(next);
    if (listeners.isEmpty()) {
      return;
    }
    Map<LoadedVersion, LoadedVersion> replaced = new HashMap<>();
    if (before != null) {
      for (LoadedVersion v : before.ready().values()) {
        LoadedVersion successor = model.ready().get(v.version());
        if (successor != null && successor != v) {
          replaced.put(v, successor);
        } else if (successor == null) {
          listeners.forEach(l -> l.onRetired(v));
        }
      }
    }
    replaced.forEach((old, successor) -> listeners.forEach(l -> l.onReplaced(old, successor)));
    for (LoadedVersion v : model.ready().values()) {
      if ((before == null || !before.ready().containsValue(v)) && !replaced.containsValue(v)) {
        listeners.forEach(l -> l.onServing(v));
      }
    }
  }
}
