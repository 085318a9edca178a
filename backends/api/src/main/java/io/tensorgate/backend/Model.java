package io.tensorgate.backend;

/**
 * One loaded model version, from which instances are made. Holds what instances share (e.g. a
 * parsed model or a deserialized engine).
 *
 * <p>Threading: {@link #newInstance} is called by the server's load thread; {@link #close} once,
 * after every instance was closed.
 */
public interface Model extends AutoCloseable {
  /** The definition this model was loaded from. */
  ModelDefinition definition();

  /**
   * Creates one instance at the given placement.
   *
   * @throws BackendException when the instance cannot be created (e.g. no such device)
   */
  ModelInstance newInstance(InstancePlacement placement) throws BackendException;

  /**
   * Checks one request's inputs for what only this backend knows (for example, that BYTES elements
   * must be UTF-8 text where ONNX Runtime's string tensors go through Java strings), before the
   * request is queued, so that one bad request never fails a whole batch. Called on request
   * threads, concurrently; the default accepts everything.
   *
   * @param inputs the request's validated inputs, shaped as the request sent them
   * @throws InferenceException INVALID_ARGUMENT with a message for the client
   */
  default void checkInputs(java.util.List<Tensor> inputs) throws InferenceException {}

  @Override
  void close();
}
