package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlidingWindowTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void shouldCountRequestsAndErrorsWhenTheyFallInTheWindow() {
    SlidingWindow w = new SlidingWindow(10 * SECOND);
    long t = 100 * SECOND;
    for (int i = 0; i < 90; i++) {
      w.record(t + i * 10_000_000L, false, 1_000_000);
    }
    for (int i = 0; i < 10; i++) {
      w.record(t + SECOND + i, true, 1_000_000);
    }
    SlidingWindow.Snapshot s = w.snapshot(t + 2 * SECOND);
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.errors()).isEqualTo(10);
    assertThat(s.errorRate()).isEqualTo(0.1);
  }

  @Test
  void shouldForgetRequestsWhenTheWindowHasPassedThem() {
    SlidingWindow w = new SlidingWindow(10 * SECOND);
    long t = 100 * SECOND;
    w.record(t, true, 1_000_000);
    w.record(t + 5 * SECOND, false, 1_000_000);
    assertThat(w.snapshot(t + 9 * SECOND).count()).isEqualTo(2);
    SlidingWindow.Snapshot later = w.snapshot(t + 12 * SECOND);
    assertThat(later.count()).isEqualTo(1);
    assertThat(later.errors()).isZero();
    assertThat(w.total()).isEqualTo(2);
  }

  @Test
  void shouldReportTheP99WithinOnePercentWhenLatenciesVary() {
    SlidingWindow w = new SlidingWindow(10 * SECOND);
    long t = 100 * SECOND;
    for (int i = 0; i < 980; i++) {
      w.record(t, false, 2_000_000); // 2 ms
    }
    for (int i = 0; i < 20; i++) {
      w.record(t, false, 50_000_000); // 50 ms
    }
    long p99 = w.snapshot(t).p99Nanos();
    assertThat(p99).isBetween(50_000_000L, 50_500_000L);
  }

  @Test
  void shouldReportTheP99WithinOnePercentWhenTheLatencyIsNotAPowerOfTwo() {
    SlidingWindow w = new SlidingWindow(10 * SECOND);
    long t = 100 * SECOND;
    for (int i = 0; i < 1000; i++) {
      w.record(t, false, 4_200_000); // 4.2 ms: coarse steps would say 5.12 ms
    }
    assertThat(w.snapshot(t).p99Nanos()).isBetween(4_200_000L, 4_242_000L);
  }

  @Test
  void shouldCountTheRequestsSlowerThanALimitWhenAsked() {
    SlidingWindow w = new SlidingWindow(10 * SECOND);
    long t = 100 * SECOND;
    for (int i = 0; i < 90; i++) {
      w.record(t, false, 1_000_000);
    }
    for (int i = 0; i < 7; i++) {
      w.record(t, false, 30_000_000);
    }
    SlidingWindow.Snapshot s = w.snapshot(t);
    assertThat(s.slowerThan(10_000_000)).isEqualTo(7);
    assertThat(s.slowerThan(500_000)).isEqualTo(97);
    assertThat(s.slowerThan(40_000_000)).isZero();
  }
}
