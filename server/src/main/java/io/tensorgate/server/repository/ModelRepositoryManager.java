package io.tensorgate.server.repository;

import io.tensorgate.backend.CudaSharedMemory;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Errors follow Triton's: a model whose folder, configuration or override files cannot be read
 * and checked fails "to poll" (INTERNAL "failed to load 'm', failed to poll from model repository:
 * ..."); a model whose versions fail in the backend answers INVALID_ARGUMENT "load failed for model
 * 'm': ...". Messages never name a path of the server's file system.
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

  private final RepositoryLayout layout;
  private final ControlMode mode;
  private final RepositorySettings settings;
  private final ConfigCompleter completer;
  private final ModelLoader loader;
  private final OverrideFiles overrides;
  private final PathRedaction redaction;
  private final ModelRegistry registry = new ModelRegistry();
  private final ModelStates states = new ModelStates();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final Map<String, Long> fingerprints = new ConcurrentHashMap<>();
  private final Map<String, Path> overrideDirs = new ConcurrentHashMap<>();
  private final List<Runnable> stateListeners = new CopyOnWriteArrayList<>();
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
    this(layout, backends, mode, executionTimeout, RepositorySettings.DEFAULTS);
  }

  /**
   * @param settings how configurations are read and completed, and how models load
   */
  public ModelRepositoryManager(
      RepositoryLayout layout,
      BackendRegistry backends,
      ControlMode mode,
      Duration executionTimeout,
      RepositorySettings settings) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.completer = new ConfigCompleter(Objects.requireNonNull(backends, "backends"), settings);
    this.loader =
        new ModelLoader(
            layout,
            () -> backends.cudaSharedMemory().map(CudaSharedMemory::deviceCount).orElse(0),
            executionTimeout);
    this.overrides = new OverrideFiles(layout.root());
    this.redaction = new PathRedaction(layout.root(), layout.realRoot());
  }

  public ModelRegistry registry() {
    return registry;
  }

  public ControlMode mode() {
    return mode;
  }

  /**
   * Adds a listener told after every load, reload or unload (on the thread that made it), e.g. to
   * re-evaluate readiness.
   */
  public void addStateListener(Runnable listener) {
    stateListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Deletes the override folders that servers killed without a shutdown left in the repository.
   * Call once at start-up, before any load.
   */
  public void removeLeftoverOverrides() {
    overrides.removeLeftovers();
  }

  /**
   * Loads the start-up models, up to {@link RepositorySettings#loadThreadCount()} at once: every
   * model in NONE and POLL mode; in EXPLICIT mode the named ones ({@code "*"} for all). A model
   * that fails is logged and listed in the index; the others load.
   *
   * @return the models that failed, by name, with Triton's message for each; empty when all loaded
   */
  public SortedMap<String, String> loadStartupModels(List<String> names)
      throws IOException, InterruptedException {
    List<String> toLoad =
        mode != ControlMode.EXPLICIT || names.contains("*")
            ? layout.modelNames()
            : List.copyOf(new LinkedHashSet<>(names));
    SortedMap<String, String> failures = new ConcurrentSkipListMap<>();
    if (toLoad.isEmpty()) {
      return failures;
    }
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(settings.loadThreadCount(), toLoad.size()),
            r -> {
              Thread t = new Thread(r, "model-load-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> loads = new ArrayList<>();
      for (String name : toLoad) {
        loads.add(pool.submit(() -> loadAtStartup(name, failures)));
      }
      for (Future<?> f : loads) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException("start-up load failed unexpectedly", e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return failures;
  }

  private void loadAtStartup(String name, Map<String, String> failures) {
    try {
      if (!layout.hasModel(name)) {
        // Only explicitly named models can be missing.
        throw pollFailure(name, "the repository has no model folder of that name");
      }
      load(name, null, Map.of());
    } catch (InferenceException e) {
      failures.put(name, e.getMessage());
    }
  }

  /** Whether every model a load was asked for is available: Triton's strict readiness. */
  public boolean allModelsAvailable() {
    return states.allAvailable();
  }

  /** The models that keep {@link #allModelsAvailable()} false, by name. */
  public List<String> unavailableModels() {
    return states.unavailable();
  }

  /** Starts polling the repository for changes every {@code seconds} (POLL mode). */
  public void startPolling(long seconds) {
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
    s.scheduleWithFixedDelay(this::pollQuietly, seconds, seconds, TimeUnit.SECONDS);
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
      stateListeners.forEach(Runnable::run);
    }
  }

  /** What reading and checking a model's folder and configuration gave: Triton's poll. */
  private record Polled(
      Path modelDir,
      long fingerprint,
      ConfigCompleter.Completed completed,
      NavigableMap<Long, Path> versionDirs) {}

  private void loadLocked(String name, String configJson, Map<String, byte[]> files)
      throws InferenceException {
    // A request's own config or files are the client's input: their errors go back to the client
    // only. Errors of the repository's files also mark the model in the index and for readiness.
    boolean fromRepository = configJson == null && files.isEmpty();
    Path overrideDir = null;
    Polled polled;
    try {
      try {
        overrideDir = files.isEmpty() ? null : overrides.write(name, files);
      } catch (InferenceException e) {
        if (e.code() != ErrorCode.INTERNAL) {
          throw e;
        }
        throw new PollException(e.getMessage(), 0);
      }
      polled = poll(name, configJson, overrideDir);
    } catch (PollException e) {
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

  private Polled poll(String name, String configJson, Path overrideDir)
      throws PollException, InferenceException {
    Path modelDir;
    if (overrideDir != null) {
      modelDir = overrideDir;
    } else {
      if (!layout.hasModel(name)) {
        throw new PollException("the repository has no model folder of that name", 0);
      }
      modelDir = layout.modelDirectory(name);
    }
    long fingerprint = Fingerprints.of(modelDir);
    try {
      NavigableMap<Long, Path> versionDirs = layout.versionDirectories(modelDir);
      ModelConfig raw;
      if (configJson != null) {
        raw = ConfigReader.parseJson(configJson);
      } else {
        Path file = ConfigReader.configFile(modelDir, settings.configName());
        String shownAs = modelDir.relativize(file).toString();
        if (!settings.autoCompleteConfig() && !java.nio.file.Files.exists(file)) {
          throw new ConfigException(
              shownAs
                  + " is missing, and auto-completion is disabled (--disable-auto-complete-config)");
        }
        raw = ConfigReader.readTextFile(file, shownAs);
      }
      ConfigCompleter.Completed completed = completer.complete(name, raw, modelDir, versionDirs);
      ConfigValidator.validate(completed.config());
      return new Polled(modelDir, fingerprint, completed, versionDirs);
    } catch (ConfigException e) {
      throw new PollException(e.getMessage(), fingerprint);
    } catch (IOException e) {
      throw new PollException("failed to read the model folder", fingerprint);
    }
  }

  private void loadVersions(String name, Polled polled, Path overrideDir)
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
      String reason = loadVersion(name, polled, v, ready);
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
   * @return {@code null} once loaded (and put in {@code ready}), else why it failed
   */
  private String loadVersion(
      String name, Polled polled, long v, NavigableMap<Long, LoadedVersion> ready) {
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
                dir);
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

  private static InferenceException pollFailure(String name, String reason) {
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

  private void unloadInternal(String name) {
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
      stateListeners.forEach(Runnable::run);
    }
  }

  /**
   * RepositoryIndex rows: every model in the repository (and every model loaded from override
   * files), one row per version with a state, or one row without a version for a model without any:
   * UNAVAILABLE with its reason when its configuration failed, else with no state.
   */
  public List<IndexEntry> index(boolean readyOnly) throws IOException {
    List<IndexEntry> out = new ArrayList<>();
    for (ModelStates.Row r : states.index(layout.modelNames(), readyOnly)) {
      out.add(new IndexEntry(r.name(), r.version(), r.state(), r.reason()));
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
    overrides.close();
  }

  /** Reading or checking a model's folder, configuration or override files failed. */
  private static final class PollException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The fingerprint of what was read, so that poll mode retries only once it changes. */
    final transient long fingerprint;

    PollException(String message, long fingerprint) {
      super(message);
      this.fingerprint = fingerprint;
    }
  }
}
