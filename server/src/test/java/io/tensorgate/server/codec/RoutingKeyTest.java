package io.tensorgate.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import org.junit.jupiter.api.Test;

class RoutingKeyTest {
  private static ModelInferRequest withParameter(String key, InferParameter p) {
    return ModelInferRequest.newBuilder().putParameters(key, p).build();
  }

  @Test
  void shouldPreferTheParameterWhenBothAreSent() {
    ModelInferRequest r =
        withParameter(RoutingKey.NAME, InferParameter.newBuilder().setStringParam("p").build());

    assertThat(RoutingKey.of(r, "h")).isEqualTo("p");
  }

  @Test
  void shouldUseTheHeaderWhenNoParameters() {
    assertThat(RoutingKey.of(ModelInferRequest.getDefaultInstance(), "h")).isEqualTo("h");
  }

  @Test
  void shouldUseTheHeaderWhenOnlyOtherParameters() {
    ModelInferRequest r =
        withParameter("x", InferParameter.newBuilder().setStringParam("p").build());

    assertThat(RoutingKey.of(r, "h")).isEqualTo("h");
  }

  @Test
  void shouldUseTheHeaderWhenTheParameterIsNotAString() {
    ModelInferRequest r =
        withParameter(RoutingKey.NAME, InferParameter.newBuilder().setInt64Param(1).build());

    assertThat(RoutingKey.of(r, null)).isNull();
  }
}
