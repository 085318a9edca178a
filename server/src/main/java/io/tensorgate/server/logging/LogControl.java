package io.tensorgate.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The server's log settings, in Triton's vocabulary (log_file, log_info, log_warning, log_error,
 * log_verbose_level, log_format), applied to logback at run time. One line per event; formats
 * {@code default}, {@code ISO8601} and {@code json}.
 *
 * <p>Thread-safe: changes are serialized and applied atomically from the caller's point of view.
 */
public final class LogControl {
  /** The settings in force. */
  public record Settings(
      String file, boolean info, boolean warning, boolean error, int verboseLevel, String format) {}

  private static final String APPENDER = "tensorgate";

  private Settings settings = new Settings("", true, true, true, 0, "default");

  /** Routes java.util.logging (gRPC, Netty) through SLF4J and applies the defaults. */
  public LogControl(int verboseLevel) {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    try {
      update(new Settings("", true, true, true, verboseLevel, "default"));
    } catch (IOException e) {
      throw new IllegalStateException("console logging could not be configured", e);
    }
  }

  public synchronized Settings settings() {
    return settings;
  }

  /**
   * Applies new settings.
   *
   * @throws IOException when the log file cannot be opened; the old settings stay in force
   * @throws IllegalArgumentException for an unknown format
   */
  public synchronized void update(Settings next) throws IOException {
    if (!next.format().equals("default")
        && !next.format().equals("ISO8601")
        && !next.format().equals("json")) {
      throw new IllegalArgumentException(
          "invalid log_format '" + next.format() + "'; expected default, ISO8601 or json");
    }
    if (!next.file().isEmpty()) {
      Path p = Path.of(next.file()).toAbsolutePath();
      Path dir = p.getParent();
      if (dir == null || !Files.isDirectory(dir) || (Files.exists(p) && !Files.isWritable(p))) {
        throw new IOException("cannot write log file '" + next.file() + "'");
      }
    }
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    OutputStreamAppender<ILoggingEvent> appender = appender(ctx, next);
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
    root.setLevel(rootLevel(next));
    ctx.getLogger("io.tensorgate")
        .setLevel(next.verboseLevel() > 0 ? Level.DEBUG : rootLevel(next));
    // gRPC and Netty are chatty at DEBUG; they only follow verbose level 2 and above.
    Level libraries = next.verboseLevel() > 1 ? Level.DEBUG : Level.INFO;
    ctx.getLogger("io.grpc").setLevel(libraries);
    ctx.getLogger("io.netty").setLevel(libraries);
    settings = next;
  }

  private static Level rootLevel(Settings s) {
    if (s.info()) {
      return Level.INFO;
    }
    if (s.warning()) {
      return Level.WARN;
    }
    if (s.error()) {
      return Level.ERROR;
    }
    return Level.OFF;
  }

  private static OutputStreamAppender<ILoggingEvent> appender(LoggerContext ctx, Settings s) {
    Encoder<ILoggingEvent> encoder;
    if (s.format().equals("json")) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(ctx);
      json.start();
      encoder = json;
    } else {
      PatternLayoutEncoder p = new PatternLayoutEncoder();
      p.setContext(ctx);
      p.setPattern(
          s.format().equals("ISO8601")
              ? "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n"
              : "%d{MMdd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
      p.start();
      encoder = p;
    }
    OutputStreamAppender<ILoggingEvent> a;
    if (s.file().isEmpty()) {
      a = new ConsoleAppender<>();
    } else {
      FileAppender<ILoggingEvent> f = new FileAppender<>();
      f.setFile(s.file());
      f.setAppend(true);
      a = f;
    }
    a.setName(APPENDER);
    a.setContext(ctx);
    a.setEncoder(encoder);
    a.start();
    return a;
  }
}
