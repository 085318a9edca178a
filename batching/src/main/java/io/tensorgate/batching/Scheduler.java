package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Queues, batches and executes the requests of one loaded model version on its instances.
 *
 * <p>Threading: {@link #submit} is called by many request threads at once and never blocks, except
 * under {@link SchedulerConfig#inlineExecution()}, where it may execute the request on the calling
 * thread (and answer it) before returning.
 */
public interface Scheduler extends AutoCloseable {
  /**
   * Offers a request.
   *
   * @return {@code null} when accepted: the scheduler then owns the request and answers it exactly
   *     once through its {@link ResponseListener}, possibly before this returns. Otherwise the
   *     refusal (e.g. UNAVAILABLE "Exceeds maximum queue size", or UNAVAILABLE after {@link
   *     #shutdown}); the caller still owns the request, and the listener is not called.
   */
  InferenceError submit(InferenceRequest request);

  /** Requests accepted and not yet handed to an instance. */
  int queueDepth();

  /** Requests accepted and not yet answered (queued or executing). */
  int pendingCount();

  /**
   * Instances in service: not taken away as hung, or replaced. 0 once every instance was lost,
   * after which every request is refused with UNAVAILABLE; the version is then not ready.
   */
  int liveInstances();

  /**
   * Failures the scheduler's own threads survived (outside the backend's execution: assembling,
   * answering, a listener or the watchdog that threw), for a metric; each was logged (rate-limited)
   * and its requests answered.
   */
  long failures();

  /**
   * The CPU nanoseconds the instance worker threads used so far (executions, assembling inputs,
   * cutting outputs), for cost accounting: read from the threads' clocks when asked, never measured
   * per execution. Threads that ended (stopped, replaced) stay counted; it never decreases, and
   * reads 0 where the JVM cannot measure thread CPU time. It holds nothing else of the scheduler,
   * so it may outlive it.
   */
  LongSupplier workerCpuTime();

  /** Stops accepting requests. Requests already accepted still run and are answered. Idempotent. */
  void shutdown();

  /**
   * Waits until every accepted request was answered and the instance workers stopped, after {@link
   * #shutdown}.
   *
   * @return whether that happened within the timeout
   */
  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException;

  /**
   * Shuts down, answers every queued request UNAVAILABLE, waits briefly for executing batches, and
   * stops the workers. The instances themselves stay open: their owner closes them.
   */
  @Override
  void close();
}
