package io.tensorgate.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Objects;

/**
 * The one encoder of the server's log appender: redacts every event (see {@link Redactor}) and
 * hands it to the encoder of the current format. The format and the redactor can change at run time
 * without replacing the appender, so the log destination stays the one opened at start.
 */
final class RedactingEncoder extends EncoderBase<ILoggingEvent> {
  // Volatile: swapped by LogSettings while transport threads log.
  private volatile Encoder<ILoggingEvent> format;
  private volatile Redactor redactor = Redactor.headersOnly();

  RedactingEncoder(Encoder<ILoggingEvent> format) {
    this.format = Objects.requireNonNull(format, "format");
  }

  void format(Encoder<ILoggingEvent> next) {
    // The old one is not stopped: another thread may be encoding with it; it holds no resources.
    format = Objects.requireNonNull(next, "next");
  }

  void redactor(Redactor next) {
    redactor = Objects.requireNonNull(next, "next");
  }

  @Override
  public byte[] headerBytes() {
    return format.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return format.encode(new RedactedEvent(event, redactor));
  }

  @Override
  public byte[] footerBytes() {
    return format.footerBytes();
  }
}
