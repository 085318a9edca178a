package io.tensorgate.batching;

import io.tensorgate.backend.ModelInstance;
import java.util.List;

/** Builds sequence-batching schedulers. */
final class SequenceSchedulers {
  private SequenceSchedulers() {}

  static Scheduler create(
      SchedulerConfig config, List<ModelInstance> instances, BatchListener batchListener) {
    throw new UnsupportedOperationException("sequence batching is not built yet");
  }
}
