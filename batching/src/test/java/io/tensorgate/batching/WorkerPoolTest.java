package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which idle worker the batcher claims, and stopping or interrupting them all. */
class WorkerPoolTest {
  private final BatcherRig rig = new BatcherRig(Configs.dynamic(1).build(), 3);

  @Test
  void shouldClaimTheNextWorkerInTurnWhenTheLastOneWasGivenBack() {
    InstanceWorker first = rig.pool.claimIdle();
    first.unclaim();

    InstanceWorker second = rig.pool.claimIdle();

    assertThat(first).isSameAs(rig.workers.get(0));
    assertThat(second).isSameAs(rig.workers.get(1));
  }

  @Test
  void shouldWrapAroundToTheFirstWorkerAfterTheLast() {
    for (int i = 0; i < 3; i++) {
      rig.pool.claimIdle().unclaim();
    }

    assertThat(rig.pool.claimIdle()).isSameAs(rig.workers.get(0));
  }

  @Test
  void shouldClaimNothingWhenEveryWorkerIsClaimed() {
    for (int i = 0; i < 3; i++) {
      assertThat(rig.pool.claimIdle()).isNotNull();
    }

    assertThat(rig.pool.claimIdle()).isNull();
  }

  @Test
  void shouldInterruptTheThreadOfEveryWorker() {
    for (InstanceWorker w : rig.workers) {
      w.bind(Thread.currentThread());
    }
    rig.workers.get(2).bind(new Thread(() -> {}));

    rig.pool.interruptAll();

    assertThat(Thread.interrupted()).isTrue();
    assertThat(rig.workers.get(2).thread().isInterrupted()).isTrue();
  }

  @Test
  void shouldEndEveryIdleWorkersThreadWhenStopped() throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (InstanceWorker w : rig.workers) {
      Thread t = new Thread(w);
      w.bind(t);
      t.start();
      threads.add(t);
    }

    rig.pool.stopAll();

    for (Thread t : threads) {
      t.join(Wait.BOUND.toMillis());
      assertThat(t.isAlive()).isFalse();
    }
  }
}
