package io.tensorgate.batching;

import io.tensorgate.backend.ModelInstance;

/**
 * Replaces an instance whose execution hung (ran past {@link
 * SchedulerConfig#executionTimeoutNanos}).
 *
 * <p>Called on the scheduler's watchdog thread, after the hung batch's requests were failed. The
 * hung instance now belongs to its abandoned worker thread, which closes it if its execution ever
 * returns; the supervisor must not close it. The replacement belongs to the supervisor's owner, who
 * closes it after {@link Scheduler#close} as it does the original instances.
 */
@FunctionalInterface
public interface InstanceSupervisor {
  /** No replacement: the hung instance's slot stays empty and the others carry on. */
  InstanceSupervisor NONE =
      (index, hung) -> {
        throw new UnsupportedOperationException("no instance supervisor");
      };

  /**
   * Creates the instance that takes the hung one's place.
   *
   * @param index the position of the hung instance in the list given to {@link Schedulers#create}
   * @param hung the instance that did not finish
   * @throws Exception when no replacement could be made; the slot then stays empty
   */
  ModelInstance replace(int index, ModelInstance hung) throws Exception;
}
