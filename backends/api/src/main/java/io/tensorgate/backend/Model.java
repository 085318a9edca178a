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

  @Override
  void close();
}
