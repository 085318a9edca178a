package io.tensorgate.backend;

import java.nio.ByteBuffer;

/**
 * One runnable copy of a loaded model (Triton's model instance), e.g. one ONNX Runtime session or
 * one TensorRT execution context.
 *
 * <p>Threading: the scheduler gives each instance its own worker thread, and runs one batch at a
 * time: {@link #inputBuffer} and {@link #execute} for one batch, then the next batch's. A batch may
 * also run on another thread (a model's inline execution on the thread that received the request);
 * each batch's calls happen-after the previous batch's, so an instance needs no locking of its own.
 * Instances of the same model run in parallel.
 */
public interface ModelInstance extends AutoCloseable {
  /** This instance's placement. */
  InstancePlacement placement();

  /**
   * Memory this instance owns where the scheduler gathers input {@code name} of the next batch
   * (ONNX Runtime: a direct buffer it reads in place; TensorRT: pinned staging memory), so that the
   * one copy of a batched input lands where execution reads it. Called while the next batch is
   * assembled, before its {@link #execute}, at most once per input; the scheduler puts the bytes at
   * position 0 and marks the input in {@link Batch#inInstanceMemory}. A later call, or {@link
   * #close}, may reuse the memory. The default offers none.
   *
   * @param bytes how many bytes the input has in this batch
   * @return a little-endian direct buffer with at least {@code bytes} from position 0, or {@code
   *     null} to let the scheduler use its own memory
   */
  default ByteBuffer inputBuffer(String name, int bytes) {
    return null;
  }

  /**
   * Runs one batch, on the thread that assembled it (see the class comment).
   *
   * <p>The batch's inputs have been validated against the model's configuration. The batch's
   * buffers belong to the caller and must not be kept after this returns. The returned outputs
   * belong to the caller.
   *
   * @throws BackendException when the batch failed; only this batch's requests fail and the
   *     instance stays in service for the next batch
   */
  ExecutionResult execute(Batch batch) throws BackendException;

  /** Releases the instance's resources. Called once, after the last {@link #execute} returned. */
  @Override
  void close();
}
