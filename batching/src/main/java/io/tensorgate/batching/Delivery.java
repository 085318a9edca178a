package io.tensorgate.batching;

/**
 * How finished batches reach their listeners: at once, or in dispatch order ({@code
 * preserve_ordering}).
 */
interface Delivery {
  /** Called by a worker whose batch finished (successfully or not); the worker's thread. */
  void completed(InstanceWorker worker);

  /** Answers each batch as soon as it finished; the worker then takes its next batch itself. */
  Delivery IMMEDIATE =
      worker -> {
        worker.answer();
        worker.releaseOrRefill();
      };
}
