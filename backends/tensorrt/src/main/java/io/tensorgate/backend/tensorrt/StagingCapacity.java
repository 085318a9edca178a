package io.tensorgate.backend.tensorrt;

/**
 * How large a tensor's staging buffers (pinned host and device) grow. Buffers grow to the next
 * power of two, so that batches of slowly increasing size reallocate a logarithmic number of times;
 * past {@link #EXACT_ABOVE} they grow to exactly what is needed, since doubling a large buffer
 * could waste gigabytes of device memory.
 */
final class StagingCapacity {
  /** The smallest buffer allocated. */
  static final long MIN_BYTES = 256;

  /** Above this many bytes, buffers grow to exactly the size needed. */
  static final long EXACT_ABOVE = 1L << 30;

  private StagingCapacity() {}

  /**
   * The capacity to have for {@code needed} bytes, given the {@code current} capacity: {@code
   * current} when it is enough, else a new, larger one.
   *
   * @throws IllegalArgumentException when {@code needed} is negative
   */
  static long next(long current, long needed) {
    if (needed < 0) {
      throw new IllegalArgumentException("needed " + needed + " < 0");
    }
    if (needed <= current) {
      return current;
    }
    if (needed > EXACT_ABOVE) {
      return needed;
    }
    return Math.max(MIN_BYTES, Long.highestOneBit(needed - 1) << 1);
  }
}
