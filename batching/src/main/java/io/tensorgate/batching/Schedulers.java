package io.tensorgate.batching;

import io.tensorgate.backend.ModelInstance;
import java.util.List;

/** Creates the scheduler a model version's configuration asks for. */
public final class Schedulers {
  private Schedulers() {}

  /**
   * Creates and starts a scheduler over the given instances: one worker thread per instance.
   *
   * @param config the model version's scheduling settings
   * @param instances the instances to run batches on; the caller keeps ownership and closes them
   *     after {@link Scheduler#close}
   * @param batchListener told about every execution
   */
  public static Scheduler create(
      SchedulerConfig config, List<ModelInstance> instances, BatchListener batchListener) {
    throw new UnsupportedOperationException("not built yet");
  }
}
