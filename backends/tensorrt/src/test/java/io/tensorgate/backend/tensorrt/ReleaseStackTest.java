package io.tensorgate.backend.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseStackTest {
  private final List<String> released = new ArrayList<>();
  private final ReleaseStack stack = new ReleaseStack();

  @Test
  void shouldReleaseNewestFirstWhenClosed() {
    stack.push("context", () -> released.add("context"));
    stack.push("stream", () -> released.add("stream"));

    stack.close();

    assertThat(released).containsExactly("stream", "context");
  }

  @Test
  void shouldReleaseEachOnceWhenClosedTwice() {
    stack.push("context", () -> released.add("context"));

    stack.close();
    stack.close();

    assertThat(released).containsExactly("context");
  }

  @Test
  void shouldReleaseTheRestWhenOneReleaseThrows() {
    stack.push("context", () -> released.add("context"));
    stack.push(
        "stream",
        () -> {
          throw new IllegalStateException("injected");
        });
    stack.push("buffer", () -> released.add("buffer"));

    stack.close();

    assertThat(released).containsExactly("buffer", "context");
  }
}
