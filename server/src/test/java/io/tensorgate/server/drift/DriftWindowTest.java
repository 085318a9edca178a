package io.tensorgate.server.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DriftWindowTest {
  private static final long SECOND = 1_000_000_000L;

  // Bins (-inf, 0), [0, 10), [10, +inf).
  private final Bins.Numeric amount =
      new Bins.Numeric(new double[] {0, 10}, new double[] {0.2, 0.6, 0.2});
  private final Bins.Categorical country =
      new Bins.Categorical(List.of("de"), new double[] {0.5, 0.5});

  private DriftWindow window(long seconds, int requests) {
    return new DriftWindow(new Bins[] {amount, country}, new int[] {1, 0}, seconds, requests);
  }

  @Test
  void shouldCountEachValueInItsBinWhenASampleIsAdded() {
    DriftWindow window = window(60, 10);

    window.add(0, new Object[] {new String[] {"de", "fr", "fr"}, new double[] {-1, 5, 50}});

    assertThat(window.size()).isEqualTo(1);
    assertThat(window.counts(0)).containsExactly(1, 1, 1);
    assertThat(window.counts(1)).containsExactly(1, 2);
  }

  @Test
  void shouldDropTheOldestSampleWhenTheWindowHoldsTooMany() {
    DriftWindow window = window(60, 1);
    window.add(0, new Object[] {null, new double[] {-1}});
    window.add(1, new Object[] {null, new double[] {5}});

    assertThat(window.evict(1)).isTrue();

    assertThat(window.size()).isEqualTo(1);
    assertThat(window.counts(0)).containsExactly(0, 1, 0);
  }

  @Test
  void shouldDropSamplesOlderThanTheWindowWhenTimePasses() {
    DriftWindow window = window(2, 10);
    window.add(0, new Object[] {null, new double[] {5}});

    assertThat(window.evict(2 * SECOND)).isFalse();
    assertThat(window.evict(2 * SECOND + 1)).isTrue();

    assertThat(window.size()).isZero();
    assertThat(window.counts(0)).containsExactly(0, 0, 0);
  }

  @Test
  void shouldHoldNothingWhenNotMonitoring() {
    DriftWindow none = DriftWindow.none();

    assertThat(none.size()).isZero();
    assertThat(none.evict(Long.MAX_VALUE)).isFalse();
  }
}
