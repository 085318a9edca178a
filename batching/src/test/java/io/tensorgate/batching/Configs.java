package io.tensorgate.batching;

/** Scheduler configurations the tests share. */
final class Configs {
  private Configs() {}

  /** Dynamic batching up to {@code maxBatchSize} rows, no queue delay. */
  static SchedulerConfig.Builder dynamic(int maxBatchSize) {
    return SchedulerConfig.builder("dyn:1").maxBatchSize(maxBatchSize).dynamicBatching(true);
  }
}
