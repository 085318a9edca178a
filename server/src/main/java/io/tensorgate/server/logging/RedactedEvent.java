package io.tensorgate.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * A log event as an encoder sees it after redaction: the formatted message and the messages of the
 * exception chain pass through a {@link Redactor}; the arguments are folded into the message so
 * that no encoder can print them raw. Everything else is the original event's.
 */
final class RedactedEvent implements ILoggingEvent {
  private final ILoggingEvent event;
  private final String message;
  private final IThrowableProxy throwable;

  RedactedEvent(ILoggingEvent event, Redactor redactor) {
    this.event = event;
    this.message = redactor.redact(event.getFormattedMessage());
    IThrowableProxy t = event.getThrowableProxy();
    this.throwable = t == null ? null : new RedactedThrowable(t, redactor);
  }

  @Override
  public String getThreadName() {
    return event.getThreadName();
  }

  @Override
  public Level getLevel() {
    return event.getLevel();
  }

  @Override
  public String getMessage() {
    return message;
  }

  @Override
  public Object[] getArgumentArray() {
    return null;
  }

  @Override
  public String getFormattedMessage() {
    return message;
  }

  @Override
  public String getLoggerName() {
    return event.getLoggerName();
  }

  @Override
  public LoggerContextVO getLoggerContextVO() {
    return event.getLoggerContextVO();
  }

  @Override
  public IThrowableProxy getThrowableProxy() {
    return throwable;
  }

  @Override
  public StackTraceElement[] getCallerData() {
    return event.getCallerData();
  }

  @Override
  public boolean hasCallerData() {
    return event.hasCallerData();
  }

  @Override
  public List<Marker> getMarkerList() {
    return event.getMarkerList();
  }

  @Override
  public Map<String, String> getMDCPropertyMap() {
    return event.getMDCPropertyMap();
  }

  @Override
  @SuppressWarnings("deprecation")
  public Map<String, String> getMdc() {
    return event.getMdc();
  }

  @Override
  public long getTimeStamp() {
    return event.getTimeStamp();
  }

  @Override
  public int getNanoseconds() {
    return event.getNanoseconds();
  }

  @Override
  public Instant getInstant() {
    return event.getInstant();
  }

  @Override
  public long getSequenceNumber() {
    return event.getSequenceNumber();
  }

  @Override
  public List<KeyValuePair> getKeyValuePairs() {
    return event.getKeyValuePairs();
  }

  @Override
  public void prepareForDeferredProcessing() {
    event.prepareForDeferredProcessing();
  }

  /** An exception in the chain with its message redacted. */
  private static final class RedactedThrowable implements IThrowableProxy {
    private final IThrowableProxy t;
    private final String message;
    private final IThrowableProxy cause;
    private final IThrowableProxy[] suppressed;

    RedactedThrowable(IThrowableProxy t, Redactor redactor) {
      this.t = t;
      this.message = redactor.redact(t.getMessage());
      // A cyclic chain is cut by logback's proxy itself (isCyclic); recursion follows its links.
      this.cause =
          t.getCause() == null || t.isCyclic()
              ? t.getCause()
              : new RedactedThrowable(t.getCause(), redactor);
      IThrowableProxy[] s = t.getSuppressed();
      this.suppressed = s == null ? null : new IThrowableProxy[s.length];
      for (int i = 0; s != null && i < s.length; i++) {
        suppressed[i] = new RedactedThrowable(s[i], redactor);
      }
    }

    @Override
    public String getMessage() {
      return message;
    }

    @Override
    public String getClassName() {
      return t.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return t.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return t.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      return cause;
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      return suppressed;
    }

    @Override
    public boolean isCyclic() {
      return t.isCyclic();
    }
  }
}
