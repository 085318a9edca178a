package io.tensorgate.batching;

import io.tensorgate.backend.Batch;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.ModelInstance;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread of one {@link ModelInstance}: waits for a batch from the batcher, assembles its
 * inputs, executes it, cuts the outputs back per request and hands the outcome to the {@link
 * Delivery}.
 *
 * <p>Hand-off: the batcher fills {@link #plan} only while the worker is {@link #IDLE}, then sets
 * {@link #ASSIGNED} (the volatile write publishes the plan) and unparks the thread. The worker is
 * idle again once its batch was answered: right after execution, or under {@code preserve_ordering}
 * when the batches before it were answered.
 *
 * <p>A failing execution ({@link io.tensorgate.backend.BackendException}, or anything else thrown
 * by the backend) fails that batch's requests with INTERNAL and the backend's message; the worker
 * goes on with the next batch. Anything thrown around the execution (assembling the inputs, cutting
 * the outputs, answering: errors included) fails the batch's unanswered requests with INTERNAL and
 * a short message, is counted and logged, and the instance takes the next batch: a worker never
 * ends, or stays busy, because of a failure. An execution that does not return in time is taken
 * away by the {@link ExecutionWatchdog} ({@link #abandonIfHung}); the worker's thread then ends,
 * without touching the plan again, if the execution ever returns.
 */
final class InstanceWorker implements Runnable {
  private static final System.Logger LOG = System.getLogger(InstanceWorker.class.getName());

  static final int IDLE = 0;
  static final int ASSIGNED = 1;
  static final int BUSY = 2;

  /** Taken by the batcher or a submitting thread that is about to fill {@link #plan}. */
  static final int CLAIMED = 3;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(InstanceWorker.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final BatchPlan plan;
  private final ModelInstance instance;
  private final BatchAssembler assembler;
  private final OutputScatter scatter;
  private final SequenceInputs sequenceInputs;
  private final RequestAccounting accounting;
  private final BatchListener batchListener;
  private final BatcherWakeup wakeup;
  private final ServiceRate serviceRate;
  private final ExecutionWatch watch = new ExecutionWatch();
  private Delivery delivery;
  private Batcher refill;
  private volatile int state = IDLE;
  private volatile boolean stopping;
  private volatile Thread thread;
  // Whether the last awaitBatch() had to wait: the worker was idle between two batches. Own thread.
  private boolean parked;

  InstanceWorker(
      ModelInstance instance,
      BatchPlan plan,
      BatchAssembler assembler,
      OutputScatter scatter,
      SequenceInputs sequenceInputs,
      RequestAccounting accounting,
      BatchListener batchListener,
      BatcherWakeup wakeup,
      ServiceRate serviceRate) {
    this.instance = Objects.requireNonNull(instance, "instance");
    this.plan = Objects.requireNonNull(plan, "plan");
    this.assembler = Objects.requireNonNull(assembler, "assembler");
    this.scatter = Objects.requireNonNull(scatter, "scatter");
    this.sequenceInputs = sequenceInputs;
    this.accounting = Objects.requireNonNull(accounting, "accounting");
    this.batchListener = Objects.requireNonNull(batchListener, "batchListener");
    this.wakeup = Objects.requireNonNull(wakeup, "wakeup");
    this.serviceRate = Objects.requireNonNull(serviceRate, "serviceRate");
  }

  /** Set once before the thread starts. */
  void deliverThrough(Delivery delivery) {
    this.delivery = Objects.requireNonNull(delivery, "delivery");
  }

  /** Sets the thread that runs this worker; called once, before it starts. */
  void bind(Thread t) {
    this.thread = t;
  }

  /** Whether the worker waits for a batch (sequence batcher, which alone fills plans). */
  boolean idle() {
    return state == IDLE;
  }

  /**
   * Takes the idle worker for the caller, who then alone fills {@link #plan} and calls {@link
   * #assign} or {@link #unclaim}. The batcher and submitting threads (the fast path) both claim, so
   * they never fill one plan at once.
   */
  boolean tryClaim() {
    return state == IDLE && STATE.compareAndSet(this, IDLE, CLAIMED);
  }

  /** Gives back a claimed worker whose plan stayed empty. */
  void unclaim() {
    state = IDLE;
  }

  /**
   * After filling {@link #plan} (claimed, or idle under the sequence batcher): starts the batch.
   */
  void assign() {
    state = ASSIGNED;
    LockSupport.unpark(thread);
  }

  /** Set once before the thread starts: lets this worker take its next batch itself. */
  void refillFrom(Batcher batcher) {
    this.refill = batcher;
  }

  /** The batch was answered: clears the plan and offers the worker to the batcher again. */
  void release() {
    plan.clear();
    state = IDLE;
    wakeup.signal();
  }

  /**
   * The batch was answered: takes the next queued batch directly when this worker may, else goes
   * idle as {@link #release} does.
   */
  void releaseOrRefill() {
    plan.clear();
    Batcher batcher = refill;
    if (batcher != null && batcher.refill(this, System.nanoTime())) {
      return;
    }
    state = IDLE;
    wakeup.signal();
  }

  /** Ends the thread once it is idle. */
  void stop() {
    stopping = true;
    LockSupport.unpark(thread);
  }

  void interrupt() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  Thread thread() {
    return thread;
  }

  ModelInstance instance() {
    return instance;
  }

  /** Whether the watchdog gave up on this worker; its thread ends once the execution returns. */
  boolean abandoned() {
    return watch.abandoned();
  }

  /**
   * Watchdog thread: takes the running batch away from the worker when its execution started more
   * than {@code timeoutNanos} before {@code now}. After true, the caller alone answers the batch
   * ({@link #failAbandoned}); the worker never touches it again.
   */
  boolean abandonIfHung(long now, long timeoutNanos) {
    return watch.abandonIfHung(now, timeoutNanos);
  }

  /** Watchdog thread, after {@link #abandonIfHung}: fails every request of the hung batch. */
  void failAbandoned(InferenceError error) {
    long now = System.nanoTime();
    executed(plan.batchSize(), new ExecutionTimestamps(now, now, now, now), false, 0);
    plan.fail(error);
    for (int i = 0; i < plan.count(); i++) {
      InferenceRequest r = plan.request(i);
      if (r != null) {
        r.markInputsStillRead();
      }
    }
    answer();
    plan.clear();
  }

  @Override
  public void run() {
    long previousEnd = 0;
    while (awaitBatch()) {
      long start = System.nanoTime();
      // A batch that was already waiting when the previous one ended counts from that end: the
      // gap between them delays the queue as much as executing does.
      long busySince = parked || previousEnd == 0 ? start : previousEnd;
      if (!runBatch(busySince)) {
        return;
      }
      previousEnd = System.nanoTime();
    }
  }

  /**
   * Inline execution: the submitting thread, which claimed this idle worker and filled {@link
   * #plan}, runs the batch itself instead of handing it to the worker's thread, and answers it. A
   * batch queued meanwhile is handed to the worker's thread as usual ({@link #releaseOrRefill}), so
   * the caller only ever runs the request it brought. If the watchdog abandons the execution, this
   * worker's parked thread is ended once the execution returns.
   */
  void runInline() {
    if (!runBatch(System.nanoTime())) {
      stop();
    }
  }

  /** Executes and answers the plan's batch; false when the watchdog abandoned it (thread ends). */
  private boolean runBatch(long busySince) {
    state = BUSY;
    int requests = plan.requestCount();
    try {
      if (!execute()) {
        closeAbandoned();
        return false;
      }
      delivery.completed(this);
    } catch (Throwable t) {
      if (abandoned()) {
        // The watchdog owns the batch; only the instance is left to this thread.
        accounting.workerFailed(t);
        closeAbandoned();
        return false;
      }
      recover(t);
    }
    serviceRate.served(requests, System.nanoTime() - busySince);
    return true;
  }

  /**
   * Last resort after a failure outside the guarded steps (a bug, or an error such as running out
   * of memory): answers what the batch still owes with INTERNAL and frees the instance, so that no
   * request waits forever and the instance stays in service.
   */
  private void recover(Throwable t) {
    accounting.workerFailed(t);
    if (state == ASSIGNED) {
      // A refill handed this worker its next batch before the failure: the batch it owed was
      // answered, and the next one is about to run.
      return;
    }
    try {
      if (plan.failure() == null) {
        plan.fail(SchedulerErrors.WORKER_FAILED);
      }
      answer();
    } catch (Throwable again) {
      accounting.workerFailed(again);
    } finally {
      release();
    }
  }

  /** Waits for a batch; false when the worker must end (stopped, or interrupted while idle). */
  private boolean awaitBatch() {
    parked = false;
    while (state != ASSIGNED) {
      if (stopping || Thread.currentThread().isInterrupted()) {
        return false;
      }
      parked = true;
      LockSupport.park(this);
    }
    return true;
  }

  /** The hung execution returned after all: the instance is closed here, on its own thread. */
  private void closeAbandoned() {
    LOG.log(Level.WARNING, "abandoned instance returned from its hung execution; closing it");
    try {
      instance.close();
    } catch (Throwable e) {
      LOG.log(Level.WARNING, "closing the abandoned instance failed", e);
    }
  }

  /** Runs the plan's batch; false when the watchdog abandoned it meanwhile (hands off the plan). */
  private boolean execute() {
    long start = System.nanoTime();
    Batch batch;
    try {
      batch = assembler.assemble(plan);
    } catch (Throwable e) {
      plan.fail(SchedulerErrors.notExecuted(e));
      accounting.workerFailed(e);
      return true;
    }
    long token = watch.begin(start);
    ExecutionResult result;
    try {
      result = instance.execute(batch);
    } catch (Throwable e) {
      if (!watch.end(token)) {
        return false;
      }
      // Any failure of one execution (BackendException, a runtime exception, an error thrown by
      // native code) fails only this batch: a dead worker would leave every later request hanging.
      long end = System.nanoTime();
      plan.fail(SchedulerErrors.executionFailed(e));
      executed(batch.size(), new ExecutionTimestamps(start, start, end, end), false, 0);
      return true;
    }
    if (!watch.end(token)) {
      return false;
    }
    executed(batch.size(), result.timestamps(), true, result.deviceNanos());
    try {
      scatter.begin(result.outputs(), batch.size());
      int row = 0;
      for (int i = 0; i < plan.count(); i++) {
        InferenceRequest r = plan.request(i);
        int rows = plan.rows(i);
        if (r != null) {
          plan.setOutputs(i, scatter.rowsOf(r.requestedOutputs(), row, rows));
        }
        row += rows;
      }
      if (sequenceInputs != null) {
        sequenceInputs.keepStates(plan, scatter);
      }
      plan.executed(result.timestamps());
    } catch (Throwable e) {
      plan.fail(SchedulerErrors.notExecuted(e));
      accounting.workerFailed(e);
    } finally {
      scatter.end();
    }
    return true;
  }

  private void executed(
      int batchSize, ExecutionTimestamps timestamps, boolean success, long deviceNanos) {
    try {
      if (plan.mirrored()) {
        batchListener.onMirroredBatchExecuted(batchSize, success, deviceNanos);
      } else {
        batchListener.onBatchExecuted(batchSize, timestamps, success, deviceNanos);
      }
    } catch (Throwable e) {
      accounting.workerFailed(e);
    }
  }

  /**
   * Answers every request of the finished batch. Called by this worker, or under {@code
   * preserve_ordering} by the worker delivering in order.
   */
  void answer() {
    InferenceError failure = plan.failure();
    if (plan.answered() < 0) {
      accounting.executed(plan.requestCount());
      plan.answered(0);
    }
    // Resumes after the last answered entry, so that recover() never answers a request twice.
    for (int i = plan.answered(); i < plan.count(); i++) {
      plan.answered(i + 1);
      InferenceRequest r = plan.request(i);
      if (r == null) {
        continue;
      }
      if (failure != null) {
        accounting.fail(r, failure);
      } else {
        r.markExecuted(plan.timestamps(), plan.batchSize());
        accounting.succeed(r, plan.outputs(i));
      }
    }
  }
}
