package io.tensorgate.server.codec;

/**
 * What a request asked of one output beyond its values: top-N classification, or delivery into a
 * shared-memory region.
 *
 * @param classification top-N classes to return instead of the tensor; 0 for none
 * @param shmRegion the region to write the output into, or {@code null}
 * @param shmOffset where in the region
 * @param shmByteSize how many bytes of the region the output may use
 */
public record OutputOptions(
    int classification, String shmRegion, long shmOffset, long shmByteSize) {
  public boolean toSharedMemory() {
    return shmRegion != null;
  }
}
