package io.tensorgate.server.repository;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mechanics of loading and unloading one model: read its folder, load the versions its policy
 * selects (retrying as configured), swap them into the {@link ModelRegistry} in one step, retire
 * what they replace, and keep {@link ModelStates} and the poll fingerprints up to date.
 *
 * <p>Thread-safe: loads and unloads of one model are serialized on a lock per model; different
 * models load concurrently.
 */
final class ModelLoads {
  private static final Logger log = LoggerFactory.getLogger(ModelLoads.class);

  private final RepositoryLayout layout;
  private final RepositorySettings settings;
  private final ModelFolderReader reader;
  private final ModelLoader loader;
  private final OverrideFiles overrides;
  private final PathRedaction redaction;
  private final ModelRegistry registry;
  private final ModelStates states;
  private final Runnable afterChange;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<String, Long> fingerprints = new ConcurrentHashMap<>();
  private final Map<String, Path> overrideDirs = new ConcurrentHashMap<>();

  /**
   * @param afterChange run after every load or unload, on the thread that made it
   */
  ModelLoads(
      RepositoryLayout layout,
      RepositorySettings settings,
      ModelFolderReader reader,
      ModelLoader loader,
      OverrideFiles overrides,
      ModelRegistry registry,
      ModelStates states,
      Runnable afterChange) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.reader = Objects.requireNonNull(reader, "reader");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.overrides = Objects.requireNonNull(overrides, "overrides");
    this.redaction = new PathRedaction(layout.root(), layout.realRoot());
    this.registry = Objects.requireNonNull(registry, "registry");
    this.states = Objects.requireNonNull(states, "states");
    this.afterChange = Objects.requireNonNull(afterChange, "afterChange");
  }

  /** The fingerprint of what the model was last loaded (or failed to load) from, or null. */
  Long fingerprint(String name) {
    return fingerprints.get(name);
  }

  /** Keeps poll mode from retrying a model until its folder changes again. */
  void recordFingerprint(String name, long fingerprint) {
    fingerprints.put(name, fingerprint);
  }

  /** The models a load was tried for since their last unload. */
  Set<String> tried() {
    return Set.copyOf(fingerprints.keySet());
  }

  /** Whether the model serves from override files rather than its repository folder. */
  boolean fromOverrides(String name) {
    return overrideDirs.containsKey(name);
  }

  /**
   * Loads or reloads a model (from override files or config when given) and swaps it into the
   * registry; serialized per model.
   */
  void load(String name, String configJson, Map<String, byte[]> files) throws InferenceException {
    RepositoryLayout.validateModelName(name);
    ReentrantLock lock = locks.computeIfAbsent(name, k -> new ReentrantLock());
    lock.lock();
    try {
      loadLocked(name, configJson, files);
    } finally {
      lock.unlock();
      afterChange.run();
    }
  }

  private void loadLocked(String name, String configJson, Map<String, byte[]> files)
      throws InferenceException {
    // A request's own config or files are the client's input: their errors go back to the client
    // only. Errors of the repository's files also mark the model in the index and for readiness.
    boolean fromRepository = configJson == null && files.isEmpty();
    Path overrideDir = null;
    ModelFolderReader.Read polled;
    try {
      try {
        overrideDir = files.isEmpty() ? null : overrides.write(name, files);
      } catch (InferenceException e) {
        if (e.code() != ErrorCode.INTERNAL) {
          throw e;
        }
        throw new ModelFolderReader.ReadException(e.getMessage(), 0);
      }
      polled = reader.read(name, configJson, overrideDir);
    } catch (ModelFolderReader.ReadException e) {
      overrides.delete(overrideDir);
      String reason = redaction.redact(e.getMessage());
      log.error("failed to load model '{}': {}", name, reason);
      if (fromRepository && layout.hasModel(name)) {
        modelFailed(name, reason, e.fingerprint);
      }
      throw pollFailure(name, reason);
    }
    states.clearError(name);
    loadVersions(name, polled, overrideDir);
  }

  /** A configuration-level failure of a repository model: listed, and kept from poll retries. */
  private void modelFailed(String name, String reason, long fingerprint) {
    states.fail(name, reason);
    fingerprints.put(name, fingerprint);
    ModelRegistry.ServedModel served = registry.get(name);
    if (served != null && !served.ready().isEmpty()) {
      Map<Long, ModelStates.VersionStatus> kept = new TreeMap<>(states.versions(name));
      String keptReason = "reload failed, previous version kept: " + reason;
      served.ready().keySet().forEach(v -> kept.put(v, readyKept(keptReason)));
      states.replace(name, kept);
    }
  }

  private static ModelStates.VersionStatus readyKept(String reason) {
    return new ModelStates.VersionStatus(ModelStates.READY, reason);
  }

  private void loadVersions(String name, ModelFolderReader.Read polled, Path overrideDir)
      throws InferenceException {
    ModelConfig config = polled.completed().config();
    NavigableSet<Long> wanted =
        VersionPolicies.select(
            config.getVersionPolicy(), new TreeSet<>(polled.versionDirs().keySet()));
    if (wanted.isEmpty()) {
      overrides.delete(overrideDir);
      String reason =
          "at least one version must be available under the version policy of model '" + name + "'";
      log.error("failed to load model '{}': {}", name, reason);
      if (overrideDir == null) {
        modelFailed(name, reason, polled.fingerprint());
      }
      throw new InferenceException(
          ErrorCode.INTERNAL, "failed to load '" + name + "', no version is available: " + reason);
    }

    ModelRegistry.ServedModel old = registry.get(name);
    Map<Long, ModelStates.VersionStatus> versionStates = new TreeMap<>();
    NavigableMap<Long, LoadedVersion> ready = new TreeMap<>();
    Map<Long, String> unavailable = new HashMap<>();
    List<String> failures = new ArrayList<>();
    for (long v : wanted) {
      LoadedVersion previous = old == null ? null : old.ready().get(v);
      if (previous == null) {
        // A version already serving stays READY while its replacement loads, as in Triton.
        states.set(name, v, "LOADING", "");
      }
      String reason = loadVersion(name, polled, v, previous, ready);
      if (reason == null) {
        versionStates.put(v, new ModelStates.VersionStatus(ModelStates.READY, ""));
        continue;
      }
      failures.add("version " + v + " is at UNAVAILABLE state: " + reason);
      if (previous != null) {
        // A failed reload keeps the version that was serving.
        ready.put(v, previous);
        versionStates.put(v, readyKept("reload failed, previous version kept: " + reason));
      } else {
        unavailable.put(v, reason);
        versionStates.put(v, new ModelStates.VersionStatus(ModelStates.UNAVAILABLE, reason));
      }
    }

    boolean anyNew =
        ready.values().stream().anyMatch(lv -> old == null || !old.ready().containsValue(lv));
    if (!anyNew && old != null && !old.ready().isEmpty()) {
      // Nothing new came up: leave the serving model exactly as it was.
      overrides.delete(overrideDir);
      Map<Long, ModelStates.VersionStatus> kept = new TreeMap<>(versionStates);
      old.ready().keySet().forEach(v -> kept.putIfAbsent(v, readyKept("")));
      states.replace(name, kept);
      fingerprints.put(name, polled.fingerprint());
      throw loadFailed(name, failures);
    }
    registry.put(new ModelRegistry.ServedModel(name, ready, unavailable));
    states.replace(name, versionStates);
    fingerprints.put(name, polled.fingerprint());
    Path previousOverride =
        overrideDir != null ? overrideDirs.put(name, overrideDir) : overrideDirs.remove(name);
    retireReplaced(old, ready, previousOverride);
    if (ready.isEmpty()) {
      throw loadFailed(name, failures);
    }
  }

  /**
   * Loads one version, trying {@link RepositorySettings#loadRetryCount()} more times on failure.
   *
   * @param previous the version it replaces, or {@code null} (its statistics carry on)
   * @return {@code null} once loaded (and put in {@code ready}), else why it failed
   */
  private String loadVersion(
      String name,
      ModelFolderReader.Read polled,
      long v,
      LoadedVersion previous,
      NavigableMap<Long, LoadedVersion> ready) {
    Path dir = polled.versionDirs().get(v);
    if (dir == null) {
      String reason = "version " + v + " is named by the version policy but has no folder";
      log.error("failed to load model '{}' version {}: {}", name, v, reason);
      return reason;
    }
    String reason = null;
    for (int attempt = 0; attempt <= settings.loadRetryCount(); attempt++) {
      try {
        long t0 = System.nanoTime();
        LoadedVersion loaded =
            loader.load(
                polled.completed().config(),
                polled.completed().provider(),
                polled.modelDir(),
                v,
                dir,
                previous);
        long loadNanos = System.nanoTime() - t0;
        loaded.stats().recordLoadDuration(loadNanos);
        ready.put(v, loaded);
        log.info("loaded model '{}' version {} ({} ms)", name, v, loadNanos / 1_000_000);
        return null;
      } catch (ModelLoader.LoadException e) {
        // The log keeps the backend's words; clients and the index get them without paths.
        reason = redaction.redact(e.getMessage());
        log.error(
            "failed to load model '{}' version {}{}: {}",
            name,
            v,
            attempt == 0 ? "" : " (retry " + attempt + ")",
            e.getMessage());
      }
    }
    return reason;
  }

  static InferenceException pollFailure(String name, String reason) {
    return new InferenceException(
        ErrorCode.INTERNAL,
        "failed to load '" + name + "', failed to poll from model repository: " + reason);
  }

  private static InferenceException loadFailed(String name, List<String> failures) {
    return new InferenceException(
        ErrorCode.INVALID_ARGUMENT,
        "load failed for model '" + name + "': " + String.join("; ", failures));
  }

  private void retireReplaced(
      ModelRegistry.ServedModel old, Map<Long, LoadedVersion> now, Path previousOverride) {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    if (old != null) {
      for (LoadedVersion lv : old.ready().values()) {
        if (!now.containsValue(lv)) {
          closing.add(lv.retire());
        }
      }
    }
    if (previousOverride != null) {
      CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]))
          .thenRun(() -> overrides.delete(previousOverride));
    }
  }

  /** Takes a model out of service and waits (up to 60 s) for its in-flight requests. */
  void unload(String name) {
    ReentrantLock lock = locks.computeIfAbsent(name, k -> new ReentrantLock());
    lock.lock();
    try {
      fingerprints.remove(name);
      states.clearError(name);
      ModelRegistry.ServedModel old = registry.get(name);
      if (old == null) {
        return;
      }
      registry.put(new ModelRegistry.ServedModel(name, new TreeMap<>(), Map.of()));
      List<CompletableFuture<Void>> closing = new ArrayList<>();
      for (LoadedVersion lv : old.ready().values()) {
        states.set(name, lv.version(), "UNLOADING", "");
        closing.add(lv.retire());
      }
      try {
        CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]))
            .get(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.warn("model '{}' did not finish unloading within 60 s", name);
      }
      Map<Long, ModelStates.VersionStatus> unloaded = new TreeMap<>();
      for (LoadedVersion lv : old.ready().values()) {
        unloaded.put(
            lv.version(),
            new ModelStates.VersionStatus(ModelStates.UNAVAILABLE, ModelStates.UNLOADED));
      }
      states.replace(name, unloaded);
      overrides.delete(overrideDirs.remove(name));
    } finally {
      lock.unlock();
      afterChange.run();
    }
  }
}
