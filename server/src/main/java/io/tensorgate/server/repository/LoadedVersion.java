package io.tensorgate.server.repository;

import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.batching.Scheduler;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.server.stats.ModelStats;
import io.tensorgate.server.stats.StatsSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model version in service: its completed config, backend model, instances, scheduler and
 * statistics. Immutable apart from its in-flight count.
 *
 * <p>Request threads {@link #tryAcquire} before submitting and {@link #release} once the request is
 * answered. {@link #retire} stops new acquisitions; the version closes itself once the last
 * acquired request was released, so a reload never fails a request that already chose this version.
 */
public final class LoadedVersion {
  private static final Logger log = LoggerFactory.getLogger(LoadedVersion.class);

  /** Closing a retired version runs on {@code tensorgate-unload-<model>-<version>}. */
  static final String UNLOAD_THREAD_PREFIX = "tensorgate-unload-";

  private final String name;
  private final long version;
  private final String versionString;
  private final ModelConfig config;
  private final ModelIo io;
  private final Model model;
  private final List<ModelInstance> instances;
  private final Scheduler scheduler;
  private final ModelStats stats;
  private final StatsSnapshot statsBaseline;
  private final long filesFingerprint;
  private final Path modelDirectory;

  // LongAdder: acquire/release happen on every request from many threads.
  private final LongAdder inFlight = new LongAdder();
  private volatile boolean retired;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  LoadedVersion(
      ModelConfig config,
      long version,
      ModelIo io,
      Model model,
      List<ModelInstance> instances,
      Scheduler scheduler,
      ModelStats stats,
      StatsSnapshot statsBaseline,
      long filesFingerprint,
      Path modelDirectory) {
    this.config = Objects.requireNonNull(config, "config");
    this.name = config.getName();
    this.version = version;
    this.versionString = Long.toString(version);
    this.io = Objects.requireNonNull(io, "io");
    this.model = Objects.requireNonNull(model, "model");
    // Not copied: the execution watchdog's supervisor swaps a hung instance for its replacement
    // in this (thread-safe) list, so that unload closes the replacement and not the hung one.
    this.instances = instances;
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.stats = Objects.requireNonNull(stats, "stats");
    this.statsBaseline = Objects.requireNonNull(statsBaseline, "statsBaseline");
    this.filesFingerprint = filesFingerprint;
    this.modelDirectory = Objects.requireNonNull(modelDirectory, "modelDirectory");
  }

  public String name() {
    return name;
  }

  public long version() {
    return version;
  }

  /** The version as the wire carries it; cached to avoid a conversion per response. */
  public String versionString() {
    return versionString;
  }

  public ModelConfig config() {
    return config;
  }

  public ModelIo io() {
    return io;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  /**
   * The statistics to record into and to export as metrics: cumulative across reloads of this
   * version, as Triton's metric counters are.
   */
  public ModelStats stats() {
    return stats;
  }

  /**
   * What the ModelStatistics RPC reports: the statistics since this version was loaded, or, when a
   * reload changed neither its files nor its configuration beyond {@code instance_group} and {@code
   * version_policy}, since its predecessor was (Triton updates such a model in place).
   */
  public StatsSnapshot statistics() {
    return stats.snapshot().since(statsBaseline);
  }

  StatsSnapshot statsBaseline() {
    return statsBaseline;
  }

  /**
   * Whether a reload with {@code config} and version files {@code filesFingerprint} leaves this
   * version's model as it is: Triton would update it in place and keep its statistics.
   */
  boolean sameModel(ModelConfig config, long filesFingerprint) {
    return this.filesFingerprint == filesFingerprint
        && withoutInstancesAndPolicy(this.config).equals(withoutInstancesAndPolicy(config));
  }

  private static ModelConfig withoutInstancesAndPolicy(ModelConfig c) {
    return c.toBuilder().clearInstanceGroup().clearVersionPolicy().build();
  }

  /** The model's folder (holding config.pbtxt and side files such as drift references). */
  public Path modelDirectory() {
    return modelDirectory;
  }

  /** The backend's own checks of a request's inputs; see {@link Model#checkInputs}. */
  public void checkInputs(List<io.tensorgate.backend.Tensor> inputs)
      throws io.tensorgate.backend.InferenceException {
    model.checkInputs(inputs);
  }

  /**
   * Takes a reference for one request. Returns false once the version is retired: the caller then
   * looks the model up again and finds its successor.
   */
  public boolean tryAcquire() {
    inFlight.increment();
    // Dekker-style: the increment above and the retired write in retire() are both ordered
    // accesses, so either this read sees the retirement or retire() sees the increment.
    if (retired) {
      release();
      return false;
    }
    return true;
  }

  /** Returns a reference taken with {@link #tryAcquire}; called once per successful acquire. */
  public void release() {
    inFlight.decrement();
    if (retired && inFlight.sum() == 0) {
      closeAsync();
    }
  }

  /** Requests holding a reference now. */
  public long inFlight() {
    return inFlight.sum();
  }

  /**
   * Takes the version out of service: no new references; once in-flight requests are answered the
   * scheduler stops and instances and model close.
   *
   * @return completes when everything is closed
   */
  public CompletableFuture<Void> retire() {
    retired = true;
    if (inFlight.sum() == 0) {
      closeAsync();
    }
    return closed;
  }

  public boolean isRetired() {
    return retired;
  }

  /**
   * Whether the version is READY: in service, with at least one instance left (a version whose
   * instances all hung and could not be replaced refuses every request).
   */
  public boolean isServing() {
    return !retired && scheduler.liveInstances() > 0;
  }

  private void closeAsync() {
    if (closed.isDone()) {
      return;
    }
    // Off the request thread: closing waits for the scheduler's workers and the backend. A thread
    // of its own, named for the logs (the common pool would lend an unnamed one on small hosts).
    Thread t = new Thread(this::closeNow, UNLOAD_THREAD_PREFIX + name + "-" + version);
    t.setDaemon(true);
    t.start();
  }

  private synchronized void closeNow() {
    if (closed.isDone()) {
      return;
    }
    try {
      scheduler.shutdown();
      if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("model '{}' version {} did not drain within 30 s; closing anyway", name, version);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      scheduler.close();
      for (ModelInstance i : instances) {
        try {
          i.close();
        } catch (RuntimeException e) {
          log.warn("closing instance {} of '{}' failed", i.placement().name(), name, e);
        }
      }
      try {
        model.close();
      } catch (RuntimeException e) {
        log.warn("closing model '{}' version {} failed", name, version, e);
      }
      log.info("unloaded model '{}' version {}", name, version);
      closed.complete(null);
    }
  }
}
