package io.tensorgate.batching;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Parks the batcher thread when it has nothing to do and wakes it when something changes: a request
 * is published, an instance becomes free, the scheduler shuts down.
 *
 * <p>It is the rings' {@link WaitStrategy}, so every {@code RingBuffer.publish} signals it (the
 * Disruptor calls {@link #signalAllWhenBlocking()} after each publish). Producers pay one fence and
 * one volatile read per publish; only the one that finds the batcher announced as sleeping pays the
 * unpark. No barrier waits on these rings (the batcher reads them directly), so {@link #waitFor} is
 * not supported.
 */
final class BatcherWakeup implements WaitStrategy {
  private static final VarHandle SLEEPING;

  static {
    try {
      SLEEPING =
          MethodHandles.lookup().findVarHandle(BatcherWakeup.class, "sleeping", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Thread waiter;

  @SuppressWarnings("unused") // accessed through SLEEPING
  private volatile boolean sleeping;

  /** Sets the thread that {@link #await} parks; called once, before any signal matters. */
  void bind(Thread thread) {
    this.waiter = thread;
  }

  /**
   * Announces that the batcher is about to sleep. The batcher then looks at its queues once more
   * and calls {@link #await}: anything published after this call either is seen by that look or
   * unparks the batcher (a Dekker handshake: both sides fence between their write and their read).
   */
  void prepare() {
    SLEEPING.setVolatile(this, true);
    VarHandle.fullFence();
  }

  /** Parks for at most {@code nanos} (forever when {@link Long#MAX_VALUE}) unless signalled. */
  void await(long nanos) {
    if ((boolean) SLEEPING.getVolatile(this)) {
      if (nanos == Long.MAX_VALUE) {
        LockSupport.park(this);
      } else if (nanos > 0) {
        LockSupport.parkNanos(this, nanos);
      }
    }
    SLEEPING.setVolatile(this, false);
  }

  /** Wakes the batcher if it announced that it sleeps. Any thread. */
  void signal() {
    VarHandle.fullFence();
    if ((boolean) SLEEPING.getVolatile(this) && SLEEPING.compareAndSet(this, true, false)) {
      Thread t = waiter;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  @Override
  public void signalAllWhenBlocking() {
    signal();
  }

  @Override
  public long waitFor(
      long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
      throws AlertException, InterruptedException, TimeoutException {
    throw new UnsupportedOperationException("the batcher reads the rings directly");
  }
}
