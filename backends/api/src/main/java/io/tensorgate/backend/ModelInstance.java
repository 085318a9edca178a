package io.tensorgate.backend;

/**
 * One runnable copy of a loaded model (Triton's model instance), e.g. one ONNX Runtime session or
 * one TensorRT execution context.
 *
 * <p>Threading: the scheduler gives each instance its own worker thread and calls {@link #execute}
 * from that thread only, one batch at a time. Instances of the same model run in parallel.
 */
public interface ModelInstance extends AutoCloseable {
  /** This instance's placement. */
  InstancePlacement placement();

  /**
   * Runs one batch. Called on the instance's worker thread.
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
