package io.tensorgate.batching;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The race between an instance worker ending its execution and the {@link ExecutionWatchdog}
 * abandoning it as hung: each ends the execution with a CAS from its start token, so exactly one of
 * them answers the batch.
 *
 * <p>Threads: {@link #begin} and {@link #end} on the worker's thread; {@link #abandonIfHung} on the
 * watchdog's; {@link #abandoned} on any.
 */
final class ExecutionWatch {
  /** {@link #executionStart} while no execution runs. */
  private static final long NOT_EXECUTING = 0;

  /** {@link #executionStart} once the watchdog took the batch of a hung execution. */
  private static final long ABANDONED = Long.MIN_VALUE;

  private static final VarHandle EXECUTION_START;

  static {
    try {
      EXECUTION_START =
          MethodHandles.lookup().findVarHandle(ExecutionWatch.class, "executionStart", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The start ({@link System#nanoTime}) of the running execution, {@link #NOT_EXECUTING}, or {@link
   * #ABANDONED}.
   */
  private volatile long executionStart = NOT_EXECUTING;

  /**
   * Worker thread: an execution starts at {@code startNanos}.
   *
   * @return the token to pass to {@link #end}
   */
  long begin(long startNanos) {
    long token = startNanos == NOT_EXECUTING || startNanos == ABANDONED ? 1 : startNanos;
    executionStart = token;
    return token;
  }

  /**
   * Worker thread: the execution begun with {@code token} returned.
   *
   * @return false when the watchdog abandoned it meanwhile: the batch is no longer the worker's
   */
  boolean end(long token) {
    return EXECUTION_START.compareAndSet(this, token, NOT_EXECUTING);
  }

  /** Whether the watchdog gave up on the execution. */
  boolean abandoned() {
    return executionStart == ABANDONED;
  }

  /**
   * Watchdog thread: abandons the running execution when it started more than {@code timeoutNanos}
   * before {@code now}; after true the watchdog alone answers the batch.
   */
  boolean abandonIfHung(long now, long timeoutNanos) {
    long start = executionStart;
    return start != NOT_EXECUTING
        && start != ABANDONED
        && now - start > timeoutNanos
        && EXECUTION_START.compareAndSet(this, start, ABANDONED);
  }
}
