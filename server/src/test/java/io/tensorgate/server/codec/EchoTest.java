package io.tensorgate.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class EchoTest {
  @Test
  void shouldKeepTextOfExactlyTheLimit() {
    String s = "x".repeat(Echo.MAX_CHARS);

    assertThat(Echo.text(s)).isEqualTo(s);
  }

  @Test
  void shouldShortenTextOverTheLimit() {
    assertThat(Echo.text("y".repeat(Echo.MAX_CHARS + 1)))
        .isEqualTo("y".repeat(Echo.MAX_CHARS) + "...");
  }

  @Test
  void shouldListEveryItemWhenAtTheLimit() {
    List<String> items = Collections.nCopies(Echo.MAX_ITEMS, "a");

    assertThat(Echo.list(items)).isEqualTo("[a,a,a,a,a,a,a,a]");
  }

  @Test
  void shouldCountTheOthersWhenOverTheLimit() {
    List<String> items = Collections.nCopies(Echo.MAX_ITEMS + 1, "b");

    assertThat(Echo.list(items)).isEqualTo("[b,b,b,b,b,b,b,b,... (9 in all)]");
  }

  @Test
  void shouldListNothingWhenEmpty() {
    assertThat(Echo.list(List.of())).isEqualTo("[]");
  }
}
