/**
 * Schedulers: queue, batch and execute the requests of one loaded model version on its instances,
 * as Triton's dynamic batcher, default scheduler and sequence batcher do.
 *
 * <p>Public surface: {@link io.tensorgate.batching.Schedulers#create} builds a {@link
 * io.tensorgate.batching.Scheduler} from a {@link io.tensorgate.batching.SchedulerConfig}; requests
 * are {@link io.tensorgate.batching.InferenceRequest}s answered through their {@link
 * io.tensorgate.batching.ResponseListener}. Everything else is package-private.
 *
 * <p>Threads and hops: the submitting thread publishes to a multi-producer LMAX Disruptor ring (one
 * per priority level; refused at once when full) and returns; one batcher thread per scheduler
 * forms a batch when an instance is idle and hands it to that instance's worker thread; the worker
 * copies the inputs once into its pooled direct buffers, executes, slices the outputs back per
 * request and calls the listeners. Idle threads park; nothing sleeps or spins.
 *
 * <p>Deviations from Triton, on purpose or for now: the {@code oldest} sequence strategy is
 * simplified (see {@code SequenceBatcher}); queue policies do not apply to sequence models; under
 * {@code preserve_ordering}, requests dropped in the queue (cancelled, late, timed out) are
 * answered at once rather than in order.
 */
package io.tensorgate.batching;
