package io.tensorgate.backend.tensorrt;

import java.lang.System.Logger.Level;
import org.bytedeco.tensorrt.nvinfer.ILogger;

/**
 * TensorRT's log, forwarded to the platform logger (the server routes it to its own log). One per
 * process, made by {@link NativeProbe} and never released: TensorRT uses the logger of every
 * runtime and builder until they are gone and keeps the first one it sees for its standalone
 * functions, so freeing it would leave TensorRT calling freed memory.
 */
final class TrtLogger extends ILogger {
  private static final System.Logger LOG =
      System.getLogger("io.tensorgate.backend.tensorrt.TensorRT");

  @Override
  public void log(Severity severity, String message) {
    Level level =
        switch (severity.intern()) {
          case kINTERNAL_ERROR, kERROR -> Level.ERROR;
          case kWARNING -> Level.WARNING;
          case kINFO -> Level.DEBUG;
          default -> Level.TRACE;
        };
    LOG.log(level, message);
  }

  /** Does nothing: the logger lives as long as the process (see the class comment). */
  @Override
  public void deallocate() {}
}
