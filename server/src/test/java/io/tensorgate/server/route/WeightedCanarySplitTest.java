package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WeightedCanarySplitTest {
  @Test
  void shouldSendTheConfiguredShareWhenRequestsHaveNoKey() {
    WeightedCanarySplit split = new WeightedCanarySplit(10, "model");
    int canary = 0;
    for (int i = 0; i < 20_000; i++) {
      if (split.toCanary(null)) {
        canary++;
      }
    }
    assertThat(canary / 200.0).isBetween(9.0, 11.0);
  }

  @Test
  void shouldSendAFractionalShareWhenTheWeightHasDecimals() {
    WeightedCanarySplit split = new WeightedCanarySplit(2.5, "model");
    int canary = 0;
    for (int i = 0; i < 20_000; i++) {
      if (split.toCanary(null)) {
        canary++;
      }
    }
    assertThat(canary / 200.0).isBetween(2.0, 3.0);
  }

  @Test
  void shouldSendTheConfiguredShareOfDistinctKeysWhenRequestsHaveKeys() {
    WeightedCanarySplit split = new WeightedCanarySplit(10, "model");
    int canary = 0;
    for (int i = 0; i < 20_000; i++) {
      if (split.toCanary("user-" + i)) {
        canary++;
      }
    }
    assertThat(canary / 200.0).isBetween(9.0, 11.0);
  }

  @Test
  void shouldNeverMoveAKeyWhenTheWeightIsUnchanged() {
    WeightedCanarySplit split = new WeightedCanarySplit(30, "model");
    for (int i = 0; i < 2_000; i++) {
      String key = "session-" + i;
      boolean first = split.toCanary(key);
      for (int j = 0; j < 5; j++) {
        assertThat(split.toCanary(key)).as(key).isEqualTo(first);
      }
      // A second split object with the same settings (a route rebuilt) agrees too.
      assertThat(new WeightedCanarySplit(30, "model").toCanary(key)).isEqualTo(first);
    }
  }

  @Test
  void shouldOnlyMoveKeysTowardTheCanaryWhenTheWeightRises() {
    double[] weights = {1, 5, 10, 25, 50, 75, 99.5, 100};
    for (int i = 0; i < 5_000; i++) {
      String key = "k" + i;
      boolean wasCanary = false;
      for (double w : weights) {
        boolean canary = new WeightedCanarySplit(w, "model").toCanary(key);
        assertThat(!wasCanary || canary).as("key %s at %s %%", key, w).isTrue();
        wasCanary = canary;
      }
      assertThat(wasCanary).isTrue();
    }
  }

  @Test
  void shouldSendNothingWhenZeroAndEverythingWhenOneHundred() {
    WeightedCanarySplit none = new WeightedCanarySplit(0, "m");
    WeightedCanarySplit all = new WeightedCanarySplit(100, "m");
    for (int i = 0; i < 1000; i++) {
      assertThat(none.toCanary(i % 2 == 0 ? null : "k" + i)).isFalse();
      assertThat(all.toCanary(i % 2 == 0 ? null : "k" + i)).isTrue();
    }
  }

  @Test
  void shouldRefuseAWeightWhenOutsideZeroToOneHundred() {
    assertThatThrownBy(() -> new WeightedCanarySplit(100.5, "m"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WeightedCanarySplit(Double.NaN, "m"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldSendTheConfiguredShareWhenTheWeightIsAboveHalf() {
    WeightedCanarySplit split = new WeightedCanarySplit(90, "model");
    int keyless = 0;
    int keyed = 0;
    for (int i = 0; i < 20_000; i++) {
      keyless += split.toCanary(null) ? 1 : 0;
      keyed += split.toCanary("user-" + i) ? 1 : 0;
    }
    assertThat(keyless / 200.0).isBetween(89.0, 91.0);
    assertThat(keyed / 200.0).isBetween(89.0, 91.0);
  }

  @Test
  void shouldAcceptTheBoundsOfTheWeight() {
    assertThat(new WeightedCanarySplit(0, "m").weightPercent()).isZero();
    assertThat(new WeightedCanarySplit(100, "m").weightPercent()).isEqualTo(100);
  }

  /**
   * Sticky clients keep their version across server releases only while the hash stays: these are
   * the points of FNV-1a with MurmurHash3's finalizer, salted with the model name.
   */
  @Test
  void shouldPlaceKeysWhereTheHashHasAlwaysPlacedThem() {
    WeightedCanarySplit split = new WeightedCanarySplit(10, "model");

    assertThat(split.keyPoint("user-1")).isEqualTo(0x277d1a7015546d10L);
    assertThat(split.keyPoint("user-2")).isEqualTo(0x1a54fa831f4fd00fL);
    assertThat(split.keyPoint("")).isEqualTo(0x9ba11e94a4eae4f4L);
  }

  @Test
  void shouldPlaceAKeyDifferentlyForAnotherModel() {
    assertThat(new WeightedCanarySplit(10, "a").keyPoint("user-1"))
        .isNotEqualTo(new WeightedCanarySplit(10, "b").keyPoint("user-1"));
  }
}
