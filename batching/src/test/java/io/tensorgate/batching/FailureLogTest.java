package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A failure that repeats is counted every time and logged at most once a minute. */
class FailureLogTest {
  private final Logger jul = Logger.getLogger(FailureLog.class.getName());
  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          logged.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  FailureLogTest() {
    jul.addHandler(handler);
  }

  @AfterEach
  void removeHandler() {
    jul.removeHandler(handler);
  }

  @Test
  void shouldLogTheFirstFailureAndCountEveryOneWhenTheyRepeatWithinAMinute() {
    FailureLog log = new FailureLog("'m:1': a listener threw");

    log.record(new IllegalStateException("one"));
    log.record(new IllegalStateException("two"));
    log.record(new IllegalStateException("three"));

    assertThat(log.count()).isEqualTo(3);
    assertThat(logged).containsExactly("'m:1': a listener threw; the thread goes on");
  }
}
