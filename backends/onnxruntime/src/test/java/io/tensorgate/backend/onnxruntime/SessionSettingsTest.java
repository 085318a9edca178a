package io.tensorgate.backend.onnxruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import io.tensorgate.backend.BackendException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionSettingsTest {
  @Test
  void shouldUseOneIntraOpThreadAndSequentialExecutionWhenNothingIsConfigured() throws Exception {
    SessionSettings settings = SessionSettings.parse("m", Map.of());

    assertThat(settings.intraOpThreads()).isEqualTo(1);
    assertThat(settings.interOpThreads()).isZero();
    assertThat(settings.executionMode()).isEqualTo(ExecutionMode.SEQUENTIAL);
  }

  @Test
  void shouldTakeTritonsParameterNamesWhenConfigured() throws Exception {
    SessionSettings settings =
        SessionSettings.parse(
            "m",
            Map.of(
                "intra_op_thread_count", "0",
                "inter_op_thread_count", " 3 ",
                "execution_mode", "1"));

    assertThat(settings.intraOpThreads()).isZero();
    assertThat(settings.interOpThreads()).isEqualTo(3);
    assertThat(settings.executionMode()).isEqualTo(ExecutionMode.PARALLEL);
  }

  @Test
  void shouldRejectANegativeThreadCount() {
    assertThatThrownBy(() -> SessionSettings.parse("m", Map.of("inter_op_thread_count", "-1")))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            "model 'm': parameter 'inter_op_thread_count' must be a non-negative integer, got"
                + " '-1'");
  }

  @Test
  void shouldRejectABooleanTritonWouldNotParse() {
    assertThatThrownBy(() -> SessionSettings.parse("m", Map.of("enable_mem_arena", "yes")))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("parameter 'enable_mem_arena' must be true/on/1 or false/off/0");
  }

  @Test
  void shouldRecordConfigEntriesInTheSessionOptionsWhenGiven() throws Exception {
    SessionSettings settings =
        SessionSettings.parse("m", Map.of("session.use_device_allocator_for_initializers", "1"));

    try (var options = settings.newSessionOptions()) {
      assertThat(options.getConfigEntries())
          .containsEntry("session.use_device_allocator_for_initializers", "1");
    }
  }
}
