package io.tensorgate.client;

import java.util.Objects;

/**
 * An output a request asks for. A request that names none gets every output of the model; one that
 * names some gets only those. An output may instead be asked for as its top classes ({@link
 * #classification}) or be written into a registered shared-memory region ({@link #sharedMemory}).
 * Immutable.
 */
public final class RequestedOutput {
  private final String name;
  private final int classCount;
  private final InferInput.SharedMemoryRef sharedMemory;

  private RequestedOutput(String name, int classCount, InferInput.SharedMemoryRef sharedMemory) {
    this.name = Objects.requireNonNull(name, "name");
    this.classCount = classCount;
    this.sharedMemory = sharedMemory;
  }

  /** The output as the model produces it. */
  public static RequestedOutput of(String name) {
    return new RequestedOutput(name, 0, null);
  }

  /**
   * The output's top {@code count} classes per batch row, answered as BYTES {@code
   * "score:index[:label]"} and read with {@link InferOutput#asClassifications()} (Triton's {@code
   * classification} parameter; labels come from the output's {@code label_filename}).
   */
  public static RequestedOutput classification(String name, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("classification count must be >= 1, got " + count);
    }
    return new RequestedOutput(name, count, null);
  }

  /** The output written into a registered shared-memory region instead of the response. */
  public static RequestedOutput sharedMemory(
      String name, String region, long byteSize, long offset) {
    return new RequestedOutput(name, 0, new InferInput.SharedMemoryRef(region, byteSize, offset));
  }

  /** The output's name. */
  public String name() {
    return name;
  }

  /** How many top classes are asked for; 0 when the output is asked for as it is. */
  public int classCount() {
    return classCount;
  }

  InferInput.SharedMemoryRef sharedMemoryRef() {
    return sharedMemory;
  }
}
