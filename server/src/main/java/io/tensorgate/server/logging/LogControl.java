package io.tensorgate.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The server's log settings, in Triton's vocabulary (log_file, log_info, log_warning, log_error,
 * log_verbose_level, log_format), applied to logback. One line per event; formats {@code default},
 * {@code ISO8601} and {@code json}.
 *
 * <p>The destination (the console, or the {@code --log-file} given at start) is opened once and
 * never changes: {@link #update} changes levels and format only. Every event is redacted before it
 * is written (credential headers, and the tokens {@link #redactSecrets} recognises), and the known
 * client-fault events of gRPC and Netty become {@link ClientFaults} records instead of stack
 * traces.
 *
 * <p>Thread-safe: changes are serialized and applied atomically from the caller's point of view.
 */
public final class LogControl {
  /** The settings in force. */
  public record Settings(
      String file, boolean info, boolean warning, boolean error, int verboseLevel, String format) {}

  static final Set<String> FORMATS = Set.of("default", "ISO8601", "json");
  private static final String APPENDER = "tensorgate";

  private final ClientFaults clientFaults = new ClientFaults();
  private final RedactingEncoder encoder;

  @GuardedBy("this")
  private Settings settings;

  /** Console logging at the given verbose level. */
  public LogControl(int verboseLevel) {
    this(new Settings("", true, true, true, verboseLevel, "default"));
  }

  /**
   * Routes java.util.logging (gRPC, Netty) through SLF4J and logs to the settings' file, or the
   * console when it is empty. A file that does not exist is created readable by its owner only.
   *
   * @throws IllegalArgumentException for an unknown format or a file that cannot be opened
   */
  public LogControl(Settings initial) {
    checkFormat(initial.format());
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    encoder = new RedactingEncoder(format(ctx, initial.format()));
    encoder.setContext(ctx);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = appender(ctx, initial.file(), encoder);
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
    ctx.getTurboFilterList().removeIf(f -> LibraryClientFaults.NAME.equals(f.getName()));
    TurboFilter faults = new LibraryClientFaults(clientFaults);
    faults.setContext(ctx);
    faults.start();
    ctx.addTurboFilter(faults);
    apply(ctx, initial);
    settings = initial;
  }

  public synchronized Settings settings() {
    return settings;
  }

  /** The client faults this log turns into counted one-liners; see {@link ClientFaults}. */
  public ClientFaults clientFaults() {
    return clientFaults;
  }

  /** Also redacts every word {@code secret} accepts (the server's tokens). */
  public void redactSecrets(Predicate<String> secret) {
    encoder.redactor(Redactor.withSecrets(secret));
  }

  /**
   * Applies new levels and format.
   *
   * @throws IllegalArgumentException for an unknown format, or a file other than the one in use:
   *     the log destination is fixed at start
   */
  public synchronized void update(Settings next) {
    checkFormat(next.format());
    if (!next.file().equals(settings.file())) {
      throw new IllegalArgumentException("the log file is fixed at start (--log-file)");
    }
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    if (!next.format().equals(settings.format())) {
      encoder.format(format(ctx, next.format()));
    }
    apply(ctx, next);
    settings = next;
  }

  private static void checkFormat(String format) {
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException(
          "invalid log_format '" + format + "'; expected default, ISO8601 or json");
    }
  }

  private static void apply(LoggerContext ctx, Settings s) {
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(rootLevel(s));
    ctx.getLogger("io.tensorgate").setLevel(s.verboseLevel() > 0 ? Level.DEBUG : rootLevel(s));
    // gRPC and Netty are chatty at DEBUG; they only follow verbose level 2 and above.
    Level libraries = s.verboseLevel() > 1 ? Level.DEBUG : Level.INFO;
    ctx.getLogger("io.grpc").setLevel(libraries);
    ctx.getLogger("io.netty").setLevel(libraries);
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

  private static Encoder<ILoggingEvent> format(LoggerContext ctx, String format) {
    if (format.equals("json")) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(ctx);
      json.start();
      return json;
    }
    PatternLayoutEncoder p = new PatternLayoutEncoder();
    p.setContext(ctx);
    p.setPattern(
        format.equals("ISO8601")
            ? "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n"
            : "%d{MMdd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
    p.start();
    return p;
  }

  private static OutputStreamAppender<ILoggingEvent> appender(
      LoggerContext ctx, String file, Encoder<ILoggingEvent> encoder) {
    OutputStreamAppender<ILoggingEvent> a;
    if (file.isEmpty()) {
      a = new ConsoleAppender<>();
    } else {
      a = new OutputStreamAppender<>();
      a.setOutputStream(open(Path.of(file)));
    }
    a.setName(APPENDER);
    a.setContext(ctx);
    a.setEncoder(encoder);
    a.start();
    return a;
  }

  /** Opens the log file for appending; a new one is created with mode 600. */
  private static OutputStream open(Path file) {
    Objects.requireNonNull(file, "file");
    Set<StandardOpenOption> options =
        EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    FileAttribute<?>[] attributes =
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    try {
      return Channels.newOutputStream(Files.newByteChannel(file, options, attributes));
    } catch (IOException | UnsupportedOperationException e) {
      // No cause: start-up errors print the cause chain, and NIO's messages repeat the path.
      throw new IllegalArgumentException("cannot write log file '" + file + "': " + reason(e));
    }
  }

  /** Why a file could not be opened, in words and without the path. */
  private static String reason(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "no such directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    if (e instanceof UnsupportedOperationException) {
      return "the file system does not support owner-only files";
    }
    return "I/O error";
  }
}
