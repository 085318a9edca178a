package io.tensorgate.backend.tensorrt;

import java.lang.System.Logger.Level;
import org.bytedeco.tensorrt.nvinfer.ILogger;

/**
 * TensorRT's log, forwarded to the platform logger (the server routes it to its own log). TensorRT
 * keeps a pointer to this object: whoever creates a runtime with it keeps it reachable until the
 * runtime is gone.
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
}
