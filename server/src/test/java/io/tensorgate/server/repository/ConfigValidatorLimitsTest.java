package io.tensorgate.server.repository;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.proto.inference.ModelConfig;
import org.junit.jupiter.api.Test;

/** Queue limits a config may ask for; found by {@link ConfigFuzzTest}. */
class ConfigValidatorLimitsTest {
  private static final String MODEL =
      """
      name: "m"
      platform: "onnxruntime_onnx"
      max_batch_size: 8
      input [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] } ]
      output [ { name: "y" data_type: TYPE_FP32 dims: [ 2 ] } ]
      """;

  private static ModelConfig config(String dynamicBatching) throws ConfigException {
    return ConfigReader.parseText(MODEL + "dynamic_batching { " + dynamicBatching + " }", "test");
  }

  @Test
  void shouldRejectConfigWhenMaxQueueSizeWouldPreallocateGigabytes() throws ConfigException {
    ModelConfig c = config("default_queue_policy { max_queue_size: 1073741824 }");

    assertThatThrownBy(() -> ConfigValidator.validate(c))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max_queue_size must be at most");
  }

  @Test
  void shouldRejectConfigWhenMaxQueueSizeIsAboveTwoToThe31() throws ConfigException {
    ModelConfig c =
        config(
            "priority_levels: 2 default_priority_level: 1 priority_queue_policy { key: 2 value {"
                + " max_queue_size: 4294967295 } }");

    assertThatThrownBy(() -> ConfigValidator.validate(c))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max_queue_size must be at most");
  }

  @Test
  void shouldRejectConfigWhenDefaultTimeoutOverflowsALong() throws ConfigException {
    ModelConfig c =
        config("default_queue_policy { default_timeout_microseconds: 18446744073709551615 }");

    assertThatThrownBy(() -> ConfigValidator.validate(c))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("default_timeout_microseconds is too large");
  }

  @Test
  void shouldRejectConfigWhenLevelsTimesQueueSizeExceedTheSlotBudget() throws ConfigException {
    ModelConfig c =
        config(
            "priority_levels: 1024 default_priority_level: 1 default_queue_policy {"
                + " max_queue_size: 8192 }");

    assertThatThrownBy(() -> ConfigValidator.validate(c))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("queue slots");
  }

  @Test
  void shouldAcceptConfigWhenManyLevelsUseTheDefaultRing() throws ConfigException {
    ModelConfig c = config("priority_levels: 1024 default_priority_level: 1");

    assertThatCode(() -> ConfigValidator.validate(c)).doesNotThrowAnyException();
  }
}
