package io.tensorgate.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Client faults: every one counted, one summary line per period at most, no stack trace. */
class ClientFaultsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ClientFaults faults = new ClientFaults(now::get);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ClientFaults.class);

  @BeforeEach
  void capture() {
    lines.start();
    logger.addAppender(lines);
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
    logger.setLevel(null);
  }

  @Test
  void shouldCountEveryFaultAndLogOneLinePerPeriod() {
    for (int i = 0; i < 10_000; i++) {
      faults.record(ClientFaults.Kind.MALFORMED_MESSAGE, "ModelInfer: truncated message");
    }
    assertThat(faults.count(ClientFaults.Kind.MALFORMED_MESSAGE)).isEqualTo(10_000);
    assertThat(lines.list).hasSize(1);
    now.addAndGet(TimeUnit.SECONDS.toNanos(ClientFaults.SUMMARY_PERIOD_SECONDS));
    faults.record(ClientFaults.Kind.MALFORMED_MESSAGE, "ModelInfer: invalid field tag");
    assertThat(lines.list).hasSize(2);
    assertThat(lines.list.get(1).getFormattedMessage())
        .startsWith("10000 malformed request messages since the last report")
        .endsWith("last: ModelInfer: invalid field tag");
    assertThat(lines.list).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
  }

  @Test
  void shouldSummariseEachKindOnItsOwn() {
    faults.record(ClientFaults.Kind.MALFORMED_MESSAGE, "a");
    faults.record(ClientFaults.Kind.CONNECTION_ERROR, "b\nsecond line");
    assertThat(lines.list).hasSize(2);
    assertThat(lines.list.get(1).getFormattedMessage()).endsWith("last: b");
  }
}
