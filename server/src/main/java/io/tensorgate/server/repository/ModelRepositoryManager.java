package io.tensorgate.server.repository;

import io.tensorgate.backend.CudaSharedMemory;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.server.provenance.ModelVerifier;
import io.tensorgate.server.threads.BackgroundThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
  private final OverrideFiles overrides;
  private final ModelRegistry registry = new ModelRegistry();
  private final ModelStates states = new ModelStates();
  private final List<Runnable> stateListeners = new CopyOnWriteArrayList<>();
  private final ModelLoads loads;
  // Closes retired versions: closing blocks until their queues drain and their backends close, so
  // it runs on threads of its own rather than the common pool the rest of the JVM shares.
  private final ExecutorService closer =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "tensorgate-version-close");
            t.setDaemon(true);
            return t;
          });
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
    this(layout, backends, mode, executionTimeout, Duration.ZERO, RepositorySettings.DEFAULTS);
  }

  /**
   * @param executionTimeout how long one batch may execute before its instance counts as hung and
   *     is replaced; {@link Duration#ZERO} turns the watchdog off
   * @param maxQueueWait the longest predicted queue wait a request is admitted with (see {@link
   *     io.tensorgate.batching.SchedulerConfig#maxQueueWaitNanos}); {@link Duration#ZERO}: no limit
   * @param settings how configurations are read and completed, and how models load
   */
  public ModelRepositoryManager(
      RepositoryLayout layout,
      BackendRegistry backends,
      ControlMode mode,
      Duration executionTimeout,
      Duration maxQueueWait,
      RepositorySettings settings) {
    this(
        layout, backends, mode, executionTimeout, maxQueueWait, settings, ModelVerifier.NONE, true);
  }

  /**
   * @param verifier decides, before the backend sees them, whether a version's files may load
   *     (signed models); a refused version is UNAVAILABLE with the reason
   * @param costAccounting whether versions count their instance threads' CPU time (see {@link
   *     io.tensorgate.server.stats.ModelStats#cost()})
   */
  public ModelRepositoryManager(
      RepositoryLayout layout,
      BackendRegistry backends,
      ControlMode mode,
      Duration executionTimeout,
      Duration maxQueueWait,
      RepositorySettings settings,
      ModelVerifier verifier,
      boolean costAccounting) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.overrides = new OverrideFiles(layout.root());
    ConfigCompleter completer =
        new ConfigCompleter(Objects.requireNonNull(backends, "backends"), settings);
    ModelLoader loader =
        new ModelLoader(
            layout,
            () -> backends.cudaSharedMemory().map(CudaSharedMemory::deviceCount).orElse(0),
            executionTimeout,
            maxQueueWait,
            costAccounting,
            closer);
    this.loads =
        new ModelLoads(
            layout,
            settings,
            new ModelFolderReader(layout, settings, completer),
            loader,
            Objects.requireNonNull(verifier, "verifier"),
            overrides,
            registry,
            states,
            () -> stateListeners.forEach(Runnable::run));
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
        throw ModelLoads.pollFailure(name, "the repository has no model folder of that name");
      }
      loads.load(name, null, Map.of());
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
      Long before = loads.fingerprint(name);
      long now = Fingerprints.of(layout.root().resolve(name));
      if (before == null || before != now) {
        try {
          loads.load(name, null, Map.of());
        } catch (InferenceException e) {
          loads.recordFingerprint(name, now);
        }
      }
    }
    for (String name : loads.tried()) {
      if (!present.contains(name) && !loads.fromOverrides(name)) {
        loads.unload(name);
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
    loads.load(name, configJson, files);
  }

  /** RepositoryModelUnload: refused unless the control mode is EXPLICIT. */
  public void unloadRequested(String name) throws InferenceException {
    requireExplicit();
    RepositoryLayout.validateModelName(name);
    loads.unload(name);
  }

  private void requireExplicit() throws InferenceException {
    if (mode != ControlMode.EXPLICIT) {
      throw new InferenceException(
          ErrorCode.UNAVAILABLE,
          "explicit model load / unload is not allowed if polling is enabled");
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
      loads.unload(m.name());
    }
    // Versions still closing finish; one retired later closes on the thread that retires it.
    closer.shutdown();
    overrides.close();
  }
}
