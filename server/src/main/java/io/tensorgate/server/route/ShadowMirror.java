package io.tensorgate.server.route;

import io.micrometer.core.instrument.Counter;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.batching.ResponseListener;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.threads.BackgroundThreads;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Mirrors a fraction of a model's answered requests to its shadow and compares the answers. The
 * primary is answered before this runs; the mirror goes through a bounded queue to its own small
 * pool, then non-blocking into the shadow version's scheduler. Anything full (the queue, the cap on
 * shadows in flight, the shadow version's own queue) drops the mirror and counts it: the primary
 * path never waits for a shadow.
 */
final class ShadowMirror implements RequestObserver, AutoCloseable {
  private static final String THREAD_NAME = "tensorgate-shadow";

  private final ModelRegistry registry;
  private final RoutingRouter router;
  private final RequestDecoder decoder;
  private final RouteMetrics metrics;
  private final DivergenceTable divergence;
  private final ThreadPoolExecutor executor;
  private final BackgroundThreads threads;
  private final Semaphore inFlight;

  ShadowMirror(
      ModelRegistry registry,
      RoutingRouter router,
      RequestDecoder decoder,
      RouteMetrics metrics,
      DivergenceTable divergence,
      BackgroundThreads backgroundThreads,
      int queueCapacity,
      int threads,
      int maxInFlight) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.threads = Objects.requireNonNull(backgroundThreads, "backgroundThreads");
    this.router = Objects.requireNonNull(router, "router");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.divergence = Objects.requireNonNull(divergence, "divergence");
    this.inFlight = new Semaphore(maxInFlight);
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(queueCapacity),
            r -> {
              Thread t = new Thread(r, THREAD_NAME);
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  @Override
  public void onComplete(CompletedRequest c) {
    if (!c.succeeded() || c.decoded() == null || c.decoded().sequence() != null) {
      return;
    }
    LoadedVersion primary = c.version();
    ModelRoute route = router.get(primary.name());
    if (route == null || route.shadow == null) {
      return;
    }
    ModelRoute.ShadowTarget target = route.shadow;
    if (target.version() == primary.version() && target.model().equals(primary.name())) {
      return; // the shadow itself answered (pinned or as canary): nothing to compare
    }
    if (target.fraction() < 1 && ThreadLocalRandom.current().nextDouble() >= target.fraction()) {
      return;
    }
    DivergenceStats s = divergence.entry(primary, target);
    s.mirrored();
    if (executor.getQueue().remainingCapacity() == 0) {
      drop(s, RouteMetrics.QUEUE_FULL);
      return;
    }
    Mirror m = new Mirror(s, c.wire(), OutputComparison.copy(c.outputs()));
    try {
      executor.execute(threads.guard(THREAD_NAME, m));
    } catch (RejectedExecutionException e) {
      drop(s, RouteMetrics.QUEUE_FULL);
    }
  }

  private void drop(DivergenceStats s, String reason) {
    s.dropped.increment();
    Counter c = metrics.shadowDropped(s.model, reason);
    c.increment();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** One mirrored request: runs on the shadow pool, answered on the shadow's worker. */
  private final class Mirror implements Runnable, ResponseListener {
    private final DivergenceStats stats;
    private final ModelInferRequest wire;
    private final List<Tensor> primaryOutputs;
    private LoadedVersion shadow;

    Mirror(DivergenceStats stats, ModelInferRequest wire, List<Tensor> primaryOutputs) {
      this.stats = stats;
      this.wire = wire;
      this.primaryOutputs = primaryOutputs;
    }

    @Override
    public void run() {
      DivergenceTable.ShadowKey t = stats.shadow;
      ModelRegistry.ServedModel m = registry.get(t.model());
      LoadedVersion v = m == null ? null : m.ready().get(t.version());
      if (v == null) {
        drop(stats, RouteMetrics.SHADOW_UNAVAILABLE);
        return;
      }
      if (!inFlight.tryAcquire()) {
        drop(stats, RouteMetrics.SHADOW_BUSY);
        return;
      }
      if (!v.tryAcquire()) {
        inFlight.release();
        drop(stats, RouteMetrics.SHADOW_UNAVAILABLE);
        return;
      }
      shadow = v;
      boolean submitted = false;
      try {
        DecodedRequest d = decoder.decode(wire, v.io());
        v.checkInputs(d.inputs());
        InferenceRequest request =
            InferenceRequest.builder()
                .id(d.id())
                .inputs(d.inputs())
                .requestedOutputs(d.requestedOutputs())
                .batchSize(d.batchSize())
                .priorityLevel(d.priority())
                .deadlineNanos(InferenceRequest.NO_DEADLINE)
                .arrivalNanos(System.nanoTime())
                .mirrored(true)
                .listener(this)
                .build();
        InferenceError refused = v.scheduler().submit(request);
        if (refused != null) {
          drop(stats, RouteMetrics.SHADOW_QUEUE_FULL);
        } else {
          submitted = true;
        }
      } catch (InferenceException e) {
        stats.failures.increment();
      } finally {
        // Whatever was thrown (errors included), a mirror that was not submitted gives back its
        // permit and its version reference, or the shadow would stay busy and never unload.
        if (!submitted) {
          done();
        }
      }
    }

    @Override
    public void onSuccess(InferenceRequest request, List<Tensor> outputs) {
      try {
        stats.record(
            OutputComparison.compare(
                primaryOutputs, outputs, stats.absTolerance, stats.relTolerance));
      } finally {
        done();
      }
    }

    @Override
    public void onFailure(InferenceRequest request, InferenceError error) {
      stats.failures.increment();
      done();
    }

    private void done() {
      shadow.release();
      inFlight.release();
    }
  }
}
