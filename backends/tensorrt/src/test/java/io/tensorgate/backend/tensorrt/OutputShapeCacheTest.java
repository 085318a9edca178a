package io.tensorgate.backend.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutputShapeCacheTest {
  private final OutputShapeCache cache = new OutputShapeCache();

  @Test
  void shouldFindTheOutputShapesWhenTheInputShapesAreEqualButNotTheSameArrays() {
    cache.put(new long[][] {{2, 4}}, new long[][] {{2, 4}, {2}});

    assertThat(cache.get(new long[][] {{2, 4}})).isDeepEqualTo(new long[][] {{2, 4}, {2}});
  }

  @Test
  void shouldTellInputsApartWhenOnlyTheRanksDiffer() {
    cache.put(new long[][] {{2, 4}, {}}, new long[][] {{1}});

    assertThat(cache.get(new long[][] {{2}, {4}})).isNull();
  }

  @Test
  void shouldKeepTheMostRecentlyUsedWhenFull() {
    for (int i = 0; i <= OutputShapeCache.CAPACITY; i++) {
      cache.put(new long[][] {{i}}, new long[][] {{i}});
      cache.get(new long[][] {{0}});
    }

    assertThat(cache.size()).isEqualTo(OutputShapeCache.CAPACITY);
    assertThat(cache.get(new long[][] {{0}})).isNotNull();
    assertThat(cache.get(new long[][] {{1}})).isNull();
  }
}
