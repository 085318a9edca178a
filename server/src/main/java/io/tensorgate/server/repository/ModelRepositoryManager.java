package io.tensorgate.server.repository;

import io.tensorgate.backend.CudaSharedMemory;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.server.threads.BackgroundThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads, reloads and unloads the models of a Triton-layout repository under one of Triton's control
 * modes, and keeps the {@link ModelRegistry} and the repository index up to date.
 *
 * <p>A reload loads and warms the new versions before they take traffic; the old ones leave the
 * registry in the same atomic swap and close once their in-flight requests are answered. A failed
 * load leaves whatever was serving untouched and is reported in the index with its reason.
 *
 * <p>Thread-safe: loads of one model are serialized; different models load concurrently.
 */
public final class ModelRepositoryManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelRepositoryManager.class);

  /** Triton's {@code --model-control-mode}. */
  public enum ControlMode {
    NONE,
    POLL,
    EXPLICIT
  }

  /** One row of RepositoryIndex. */
  public record IndexEntry(String name, String version, String state, String reason) {}

  private record VersionStatus(String state, String reason) {}

  private final RepositoryLayout layout;
  private final ControlMode mode;
  private final ConfigCompleter completer;
  private final ModelLoader loader;
  private final OverrideFiles overrides;
  private final ModelRegistry registry = new ModelRegistry();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<String, Map<Long, VersionStatus>> status = new ConcurrentHashMap<>();
  private final Map<String, String> modelErrors = new ConcurrentHashMap<>();
  private final Map<String, Long> fingerprints = new ConcurrentHashMap<>();
  private final Map<String, Path> overrideDirs = new ConcurrentHashMap<>();
  private volatile ScheduledExecutorService poller;

  public ModelRepositoryManager(
      RepositoryLayout layout, BackendRegistry backends, ControlMode mode) {
    this(layout, backends, mode, Duration.ZERO);
  }

  /**
   * @param executionTimeout how long one batch may execute before its instance counts as hung and
   *     is replaced; {@link Duration#ZERO} turns the watchdog off
   */
  public ModelRepositoryManager(
      RepositoryLayout layout,
      BackendRegistry backends,
      ControlMode mode,
      Duration executionTimeout) {
    this(layout, backends, mode, executionTimeout, Duration.ZERO);
  }

  /**
   * @param executionTimeout how long one batch may execute before its instance counts as hung and
   *     is replaced; {@link Duration#ZERO} turns the watchdog off
   * @param maxQueueWait the longest predicted queue wait a request is admitted with (see {@link
   *     io.tensorgate.batching.SchedulerConfig#maxQueueWaitNanos}); {@link Duration#ZERO}: no limit
   */
  public ModelRepositoryManager(
      RepositoryLayout layout,
      BackendRegistry backends,
      ControlMode mode,
      Duration executionTimeout,
      Duration maxQueueWait) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.completer = new ConfigCompleter(Objects.requireNonNull(backends, "backends"));
    this.loader =
        new ModelLoader(
            layout,
            () -> backends.cudaSharedMemory().map(CudaSharedMemory::deviceCount).orElse(0),
            executionTimeout,
            maxQueueWait);
    this.overrides = new OverrideFiles(layout.root());
  }

  public ModelRegistry registry() {
    return registry;
  }

  public ControlMode mode() {
    return mode;
  }

  /**
   * Loads the start-up models: every model in NONE and POLL mode; in EXPLICIT mode the named ones
   * ({@code "*"} for all). A model that fails is logged and listed in the index; the others load.
   *
   * @throws InferenceException when an explicitly named model does not exist
   */
  public void loadStartupModels(List<String> names) throws IOException, InferenceException {
    List<String> toLoad =
        mode != ControlMode.EXPLICIT || names.contains("*") ? layout.modelNames() : names;
    for (String name : toLoad) {
      if (mode == ControlMode.EXPLICIT && !layout.hasModel(name)) {
        throw new InferenceException(
            ErrorCode.NOT_FOUND,
            "--load-model names '" + name + "', which is not in the repository");
      }
      try {
        load(name, null, Map.of());
      } catch (InferenceException e) {
        log.error("failed to load model '{}': {}", name, e.getMessage());
      }
    }
  }

  /** Starts polling the repository for changes every {@code seconds} (POLL mode). */
  public void startPolling(long seconds) {
    startPolling(seconds, null);
  }

  /**
   * As {@link #startPolling(long)}; a poll that throws anything (errors included) is counted and
   * logged by {@code threads}, and polling goes on.
   */
  public void startPolling(long seconds, BackgroundThreads threads) {
    if (mode != ControlMode.POLL || seconds <= 0) {
      return;
    }
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "repository-poller");
              t.setDaemon(true);
              return t;
            });
    Runnable poll =
        threads == null ? this::pollQuietly : threads.guard("repository-poller", this::pollQuietly);
    s.scheduleWithFixedDelay(poll, seconds, seconds, TimeUnit.SECONDS);
    poller = s;
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException | IOException e) {
      log.error("repository poll failed", e);
    }
  }

  /**
   * One poll: loads new models, reloads changed ones, unloads removed ones. A failed reload keeps
   * the serving versions.
   */
  public void poll() throws IOException {
    List<String> present = layout.modelNames();
    for (String name : present) {
      Long before = fingerprints.get(name);
      long now = Fingerprints.of(layout.root().resolve(name));
      if (before == null || before != now) {
        try {
          load(name, null, Map.of());
        } catch (InferenceException e) {
          log.error("poll: failed to load model '{}': {}", name, e.getMessage());
          fingerprints.put(name, now);
        }
      }
    }
    for (String name : new ArrayList<>(fingerprints.keySet())) {
      if (!present.contains(name) && !overrideDirs.containsKey(name)) {
        unloadInternal(name);
      }
    }
  }

  /** RepositoryModelLoad: refused unless the control mode is EXPLICIT. */
  public void loadRequested(String name, String configJson, Map<String, byte[]> files)
      throws InferenceException {
    requireExplicit();
    if (!files.isEmpty() && configJson == null) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "failed to load '"
              + name
              + "': the 'config' parameter must be provided when 'file:' parameters override the"
              + " model files");
    }
    load(name, configJson, files);
  }

  /** RepositoryModelUnload: refused unless the control mode is EXPLICIT. */
  public void unloadRequested(String name) throws InferenceException {
    requireExplicit();
    RepositoryLayout.validateModelName(name);
    unloadInternal(name);
  }

  private void requireExplicit() throws InferenceException {
    if (mode != ControlMode.EXPLICIT) {
      throw new InferenceException(
          ErrorCode.UNAVAILABLE,
          "explicit model load / unload is not allowed if polling is enabled");
    }
  }

  private void load(String name, String configJson, Map<String, byte[]> files)
      throws InferenceException {
    RepositoryLayout.validateModelName(name);
    ReentrantLock lock = locks.computeIfAbsent(name, k -> new ReentrantLock());
    lock.lock();
    try {
      loadLocked(name, configJson, files);
    } finally {
      lock.unlock();
    }
  }

  private void loadLocked(String name, String configJson, Map<String, byte[]> files)
      throws InferenceException {
    Path overrideDir = files.isEmpty() ? null : overrides.write(name, files);
    Path modelDir = overrideDir != null ? overrideDir : layout.modelDirectory(name);
    long fingerprint = Fingerprints.of(modelDir);
    ConfigCompleter.Completed completed;
    NavigableMap<Long, Path> versionDirs;
    try {
      versionDirs = layout.versionDirectories(modelDir);
      ModelConfig raw =
          configJson != null
              ? ConfigReader.parseJson(configJson)
              : ConfigReader.readTextFile(modelDir.resolve(RepositoryLayout.CONFIG_FILE));
      completed = completer.complete(name, raw, modelDir, versionDirs);
      ConfigValidator.validate(completed.config());
    } catch (ConfigException | IOException e) {
      overrides.delete(overrideDir);
      throw failModel(name, fingerprint, "failed to load '" + name + "': " + e.getMessage());
    }

    ModelConfig config = completed.config();
    NavigableSet<Long> wanted =
        VersionPolicies.select(config.getVersionPolicy(), new TreeSet<>(versionDirs.keySet()));
    if (wanted.isEmpty()) {
      overrides.delete(overrideDir);
      throw failModel(
          name,
          fingerprint,
          "failed to load '"
              + name
              + "': at least one version must be available under the"
              + " version policy of model '"
              + name
              + "'");
    }

    ModelRegistry.ServedModel old = registry.get(name);
    Map<Long, VersionStatus> states = new TreeMap<>();
    NavigableMap<Long, LoadedVersion> ready = new TreeMap<>();
    Map<Long, String> unavailable = new HashMap<>();
    List<String> failures = new ArrayList<>();
    for (long v : wanted) {
      Path dir = versionDirs.get(v);
      setStatus(name, v, "LOADING", "");
      String reason;
      if (dir == null) {
        reason = "version " + v + " is named by the version policy but has no folder";
      } else {
        try {
          long t0 = System.nanoTime();
          LoadedVersion loaded = loader.load(config, completed.provider(), modelDir, v, dir);
          long loadNanos = System.nanoTime() - t0;
          loaded.stats().recordLoadDuration(loadNanos);
          ready.put(v, loaded);
          log.info("loaded model '{}' version {} ({} ms)", name, v, loadNanos / 1_000_000);
          states.put(v, new VersionStatus("READY", ""));
          continue;
        } catch (ModelLoader.LoadException e) {
          reason = e.getMessage();
        }
      }
      failures.add("version " + v + ": " + reason);
      log.error("failed to load model '{}' version {}: {}", name, v, reason);
      LoadedVersion previous = old == null ? null : old.ready().get(v);
      if (previous != null) {
        // A failed reload keeps the version that was serving.
        ready.put(v, previous);
        states.put(
            v, new VersionStatus("READY", "reload failed, previous version kept: " + reason));
      } else {
        unavailable.put(v, reason);
        states.put(v, new VersionStatus("UNAVAILABLE", reason));
      }
    }

    boolean anyNew =
        ready.values().stream().anyMatch(lv -> old == null || !old.ready().containsValue(lv));
    if (!anyNew && old != null && !old.ready().isEmpty()) {
      // Nothing new came up: leave the serving model exactly as it was.
      overrides.delete(overrideDir);
      Map<Long, VersionStatus> kept = new TreeMap<>(states);
      old.ready().keySet().forEach(v -> kept.putIfAbsent(v, new VersionStatus("READY", "")));
      status.put(name, Map.copyOf(kept));
      fingerprints.put(name, fingerprint);
      throw loadFailed(name, failures);
    }
    registry.put(new ModelRegistry.ServedModel(name, ready, unavailable));
    status.put(name, Map.copyOf(states));
    modelErrors.remove(name);
    fingerprints.put(name, fingerprint);
    Path previousOverride =
        overrideDir != null ? overrideDirs.put(name, overrideDir) : overrideDirs.remove(name);
    retireReplaced(old, ready, previousOverride);
    if (ready.isEmpty()) {
      throw loadFailed(name, failures);
    }
  }

  private InferenceException failModel(String name, long fingerprint, String reason) {
    log.error(reason);
    modelErrors.put(name, reason);
    fingerprints.put(name, fingerprint);
    return new InferenceException(ErrorCode.INVALID_ARGUMENT, reason);
  }

  private static InferenceException loadFailed(String name, List<String> failures) {
    return new InferenceException(
        ErrorCode.INVALID_ARGUMENT,
        "failed to load '" + name + "', " + String.join("; ", failures));
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

  private void unloadInternal(String name) {
    ReentrantLock lock = locks.computeIfAbsent(name, k -> new ReentrantLock());
    lock.lock();
    try {
      fingerprints.remove(name);
      modelErrors.remove(name);
      ModelRegistry.ServedModel old = registry.get(name);
      if (old == null) {
        return;
      }
      registry.put(new ModelRegistry.ServedModel(name, new TreeMap<>(), Map.of()));
      List<CompletableFuture<Void>> closing = new ArrayList<>();
      for (LoadedVersion lv : old.ready().values()) {
        setStatus(name, lv.version(), "UNLOADING", "");
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
      Map<Long, VersionStatus> states = new TreeMap<>();
      for (LoadedVersion lv : old.ready().values()) {
        states.put(lv.version(), new VersionStatus("UNAVAILABLE", "unloaded"));
      }
      status.put(name, Map.copyOf(states));
      overrides.delete(overrideDirs.remove(name));
    } finally {
      lock.unlock();
    }
  }

  private void setStatus(String name, long version, String state, String reason) {
    status.compute(
        name,
        (k, prev) -> {
          Map<Long, VersionStatus> m = prev == null ? new TreeMap<>() : new TreeMap<>(prev);
          m.put(version, new VersionStatus(state, reason));
          return Map.copyOf(m);
        });
  }

  /**
   * RepositoryIndex rows: every model in the repository (and every model loaded from override
   * files), one row per version with a state, or one row without a version for models never loaded.
   */
  public List<IndexEntry> index(boolean readyOnly) throws IOException {
    TreeSet<String> names = new TreeSet<>(layout.modelNames());
    names.addAll(status.keySet());
    names.addAll(modelErrors.keySet());
    List<IndexEntry> out = new ArrayList<>();
    for (String name : names) {
      Map<Long, VersionStatus> versions = status.getOrDefault(name, Map.of());
      String error = modelErrors.get(name);
      if (error != null && !readyOnly) {
        out.add(new IndexEntry(name, "", "UNAVAILABLE", error));
      }
      new TreeMap<>(versions)
          .forEach(
              (v, s) -> {
                if (!readyOnly || s.state().equals("READY")) {
                  out.add(new IndexEntry(name, Long.toString(v), s.state(), s.reason()));
                }
              });
      if (versions.isEmpty() && error == null && !readyOnly) {
        out.add(new IndexEntry(name, "", "", ""));
      }
    }
    return out;
  }

  /** Stops polling and unloads every model, waiting for in-flight requests. */
  @Override
  public void close() {
    ScheduledExecutorService p = poller;
    if (p != null) {
      p.shutdownNow();
    }
    for (ModelRegistry.ServedModel m : registry.all()) {
      unloadInternal(m.name());
    }
  }
}
