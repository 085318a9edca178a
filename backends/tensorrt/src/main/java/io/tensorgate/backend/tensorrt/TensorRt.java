package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The TensorRT calls the backend makes: one seam, so that tests stand in for TensorRT and a GPU
 * ({@link JavaCppTensorRt} is the real one). Every object returned belongs to the caller, who
 * releases it exactly once, after everything made from it (contexts before their engine, engines
 * before their runtime) and with the device it was made on current. The TensorRT logger is the
 * implementation's, one per process, and never released.
 *
 * <p>Threading: thread-safe; one object is used by one thread at a time.
 */
interface TensorRt {
  /** TensorRT's version as {@code getInferLibVersion} gives it: 10.15.1 is 101501. */
  int version();

  /** A runtime for the current device. */
  Runtime createRuntime() throws BackendException;

  /**
   * Builds a serialized engine (a plan) from an ONNX model on the current device. Every object the
   * build creates is released before this returns.
   *
   * @param profile the optimization profile for the parsed network's inputs (-1 for dynamic
   *     dimensions); empty for none
   * @throws BackendException when the parser is missing, the model does not parse or build, or the
   *     profile is refused
   */
  byte[] buildFromOnnx(Path onnx, ProfileChoice profile) throws BackendException;

  /** Chooses an optimization profile for a parsed network, by input name. */
  @FunctionalInterface
  interface ProfileChoice {
    Map<String, ShapeRange> choose(Map<String, long[]> networkInputs) throws BackendException;
  }

  /** An {@code IRuntime}. */
  interface Runtime {
    /** The engine in {@code plan}, or {@code null} when TensorRT refuses it (its log says why). */
    Engine deserialize(byte[] plan);

    void release();
  }

  /** An {@code ICudaEngine}. */
  interface Engine {
    /** The engine's I/O tensors and optimization profiles. */
    EngineDescription describe();

    /** A new execution context, or {@code null} when TensorRT cannot make one (memory). */
    Context createContext();

    void release();
  }

  /**
   * An {@code IExecutionContext}; tensors are named by their index in the engine's I/O tensor order
   * ({@link EngineDescription#tensors()}).
   */
  interface Context {
    boolean setProfile(int profile, long stream);

    boolean setInputShape(int tensor, long[] shape);

    /** A tensor's shape for the input shapes set; -1 for data-dependent dimensions. */
    long[] shape(int tensor);

    boolean setAddress(int tensor, long address);

    boolean enqueue(long stream);

    void release();
  }
}
