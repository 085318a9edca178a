package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import io.tensorgate.backend.BackendException;
import java.util.Locale;
import java.util.Map;

/**
 * The ONNX Runtime session and run options a model's config {@code parameters} ask for, under the
 * names Triton's onnxruntime backend reads: {@code intra_op_thread_count}, {@code
 * inter_op_thread_count}, {@code execution_mode} (0 sequential, 1 parallel), {@code
 * enable_mem_arena}, {@code enable_mem_pattern}, {@code
 * session.use_device_allocator_for_initializers} and the run option {@code
 * memory.enable_memory_arena_shrinkage}. Other keys are left for other components.
 *
 * <p>Triton's graph optimization level comes from {@code optimization { graph { level } }}, which
 * {@link io.tensorgate.backend.ModelDefinition} does not carry; sessions use ONNX Runtime's
 * default, all optimizations, which is also Triton's default.
 *
 * <p>Immutable; parsed once per model version.
 */
final class SessionSettings {
  static final String INTRA_OP_THREAD_COUNT = "intra_op_thread_count";
  static final String INTER_OP_THREAD_COUNT = "inter_op_thread_count";
  static final String EXECUTION_MODE = "execution_mode";
  static final String ENABLE_MEM_ARENA = "enable_mem_arena";
  static final String ENABLE_MEM_PATTERN = "enable_mem_pattern";
  static final String USE_DEVICE_ALLOCATOR_FOR_INITIALIZERS =
      "session.use_device_allocator_for_initializers";
  static final String ENABLE_MEMORY_ARENA_SHRINKAGE = "memory.enable_memory_arena_shrinkage";

  // One thread per session unless configured: the server runs instances in parallel, one worker
  // thread each, and ORT's default (a thread per core per session) oversubscribes a small CPU.
  static final int DEFAULT_INTRA_OP_THREADS = 1;

  private final int intraOpThreads;
  private final int interOpThreads;
  private final ExecutionMode executionMode;
  private final Boolean memArena;
  private final Boolean memPattern;
  private final String deviceAllocatorForInitializers;
  private final String arenaShrinkage;

  private SessionSettings(
      int intraOpThreads,
      int interOpThreads,
      ExecutionMode executionMode,
      Boolean memArena,
      Boolean memPattern,
      String deviceAllocatorForInitializers,
      String arenaShrinkage) {
    this.intraOpThreads = intraOpThreads;
    this.interOpThreads = interOpThreads;
    this.executionMode = executionMode;
    this.memArena = memArena;
    this.memPattern = memPattern;
    this.deviceAllocatorForInitializers = deviceAllocatorForInitializers;
    this.arenaShrinkage = arenaShrinkage;
  }

  /**
   * Reads the settings from a model's parameters.
   *
   * @throws BackendException naming the parameter when a value does not parse
   */
  static SessionSettings parse(String modelName, Map<String, String> parameters)
      throws BackendException {
    int executionMode = nonNegativeInt(modelName, parameters, EXECUTION_MODE, 0);
    if (executionMode > 1) {
      throw new BackendException(
          "model '"
              + modelName
              + "': parameter '"
              + EXECUTION_MODE
              + "' must be 0 (sequential) or 1 (parallel), got '"
              + parameters.get(EXECUTION_MODE)
              + "'");
    }
    return new SessionSettings(
        nonNegativeInt(modelName, parameters, INTRA_OP_THREAD_COUNT, DEFAULT_INTRA_OP_THREADS),
        nonNegativeInt(modelName, parameters, INTER_OP_THREAD_COUNT, 0),
        executionMode == 0 ? ExecutionMode.SEQUENTIAL : ExecutionMode.PARALLEL,
        bool(modelName, parameters, ENABLE_MEM_ARENA),
        bool(modelName, parameters, ENABLE_MEM_PATTERN),
        parameters.get(USE_DEVICE_ALLOCATOR_FOR_INITIALIZERS),
        parameters.get(ENABLE_MEMORY_ARENA_SHRINKAGE));
  }

  /** Intra-op threads per session; 0 lets ONNX Runtime choose (one per core). */
  int intraOpThreads() {
    return intraOpThreads;
  }

  /** Inter-op threads per session, used in parallel execution mode; 0 lets ONNX Runtime choose. */
  int interOpThreads() {
    return interOpThreads;
  }

  ExecutionMode executionMode() {
    return executionMode;
  }

  /** New session options with these settings; the caller owns and closes them. */
  OrtSession.SessionOptions newSessionOptions() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      if (interOpThreads > 0) {
        options.setInterOpNumThreads(interOpThreads);
      }
      options.setExecutionMode(executionMode);
      if (memArena != null) {
        options.setCPUArenaAllocator(memArena);
      }
      if (memPattern != null) {
        options.setMemoryPatternOptimization(memPattern);
      }
      if (deviceAllocatorForInitializers != null) {
        options.addConfigEntry(
            USE_DEVICE_ALLOCATOR_FOR_INITIALIZERS, deviceAllocatorForInitializers);
      }
      return options;
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  /** New run options with these settings; the caller owns and closes them. */
  OrtSession.RunOptions newRunOptions() throws OrtException {
    OrtSession.RunOptions options = new OrtSession.RunOptions();
    try {
      if (arenaShrinkage != null) {
        options.addRunConfigEntry(ENABLE_MEMORY_ARENA_SHRINKAGE, arenaShrinkage);
      }
      return options;
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  private static int nonNegativeInt(
      String modelName, Map<String, String> parameters, String key, int defaultValue)
      throws BackendException {
    String value = parameters.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BackendException(
        "model '"
            + modelName
            + "': parameter '"
            + key
            + "' must be a non-negative integer, got '"
            + value
            + "'");
  }

  /** Triton's boolean spellings: true/on/1 and false/off/0, in any case. */
  private static Boolean bool(String modelName, Map<String, String> parameters, String key)
      throws BackendException {
    String value = parameters.get(key);
    if (value == null) {
      return null;
    }
    switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "on", "1":
        return Boolean.TRUE;
      case "false", "off", "0":
        return Boolean.FALSE;
      default:
        throw new BackendException(
            "model '"
                + modelName
                + "': parameter '"
                + key
                + "' must be true/on/1 or false/off/0, got '"
                + value
                + "'");
    }
  }
}
