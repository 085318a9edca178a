package io.tensorgate.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.tensorgate.server.Requests;
import org.junit.jupiter.api.Test;

/**
 * Decoding the requested outputs against Triton's 'simple' signature: names, classification, shared
 * memory.
 */
class RequestDecoderTest extends RequestDecoderTestBase {
  @Test
  void shouldReturnAllOutputsAndBatchSizeWhenNoOutputsNamed() throws Exception {
    DecodedRequest d = decode(Requests.simple(3), SIMPLE);

    assertThat(d.requestedOutputs()).containsExactly("OUTPUT0", "OUTPUT1");
    assertThat(d.batchSize()).isEqualTo(3);
    assertThat(d.outputOptions()).isNull();
    assertThat(ints(d.inputs().get(1))).containsOnly(1);
  }

  @Test
  void shouldFillTheSchedulerRequestWhenDecoded() throws Exception {
    ModelInferRequest r =
        Requests.simple(2).toBuilder()
            .setId("req-1")
            .putParameters("priority", int64(2))
            .putParameters("timeout", int64(900))
            .build();
    InferenceRequest.Builder into = InferenceRequest.builder();

    DecodedRequest d = decoder.decode(r, SIMPLE, into);

    assertThat(d.id()).isEqualTo("req-1");
    assertThat(d.priority()).isEqualTo(2);
    assertThat(d.timeoutMicros()).isEqualTo(900);
    assertThat(d.sequence()).isNull();
  }

  @Test
  void shouldReturnOnlyTheNamedOutputsInModelOrderWhenOutputsNamed() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .addOutputs(output("OUTPUT1"))
            .addOutputs(output("OUTPUT0"))
            .build();

    assertThat(decode(r, SIMPLE).requestedOutputs()).containsExactly("OUTPUT0", "OUTPUT1");
  }

  @Test
  void shouldReturnOnlyTheFirstOutputWhenOnlyItIsNamed() throws Exception {
    ModelInferRequest r = Requests.simple(1).toBuilder().addOutputs(output("OUTPUT0")).build();

    DecodedRequest d = decode(r, SIMPLE);

    assertThat(d.requestedOutputs()).containsExactly("OUTPUT0");
    assertThat(d.outputOptions()).isNull();
  }

  @Test
  void shouldRefuseAnOutputNamedTwice() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .addOutputs(output("OUTPUT1"))
            .addOutputs(output("OUTPUT1"))
            .build();

    assertRefused(r, SIMPLE, "output 'OUTPUT1' already exists in request");
  }

  @Test
  void shouldRefuseAnUnknownOutput() {
    ModelInferRequest r = Requests.simple(1).toBuilder().addOutputs(output("NOPE")).build();

    assertRefused(r, SIMPLE, "unexpected inference output 'NOPE' for model 'simple'");
  }

  @Test
  void shouldKeepTheClassificationCountWhenAnOutputAsksForIt() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .addOutputs(output("OUTPUT0"))
            .addOutputs(classified("OUTPUT1", 3))
            .build();

    OutputOptions[] o = decode(r, SIMPLE).outputOptions();

    assertThat(o).hasSize(2);
    assertThat(o[0]).isNull();
    assertThat(o[1]).isEqualTo(new OutputOptions(3, null, 0, 0));
    assertThat(o[1].toSharedMemory()).isFalse();
  }

  @Test
  void shouldAcceptClassificationOfOne() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().addOutputs(classified("OUTPUT0", 1)).build();

    assertThat(decode(r, SIMPLE).outputOptions()[0].classification()).isEqualTo(1);
  }

  @Test
  void shouldRefuseClassificationOfZero() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().addOutputs(classified("OUTPUT0", 0)).build();

    assertRefused(r, SIMPLE, "invalid value for 'classification' parameter");
  }

  @Test
  void shouldRefuseClassificationWhenNotInt64() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .addOutputs(output("OUTPUT0").toBuilder().putParameters("classification", string("3")))
            .build();

    assertRefused(r, SIMPLE, "invalid value type for 'classification' parameter");
  }

  @Test
  void shouldHaveNoOptionsWhenAnOutputCarriesOnlyOtherParameters() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .addOutputs(output("OUTPUT0").toBuilder().putParameters("binary_data", int64(1)))
            .build();

    assertThat(decode(r, SIMPLE).outputOptions()).isNull();
  }

  @Test
  void shouldKeepTheRegionWhenAnOutputGoesToSharedMemory() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().addOutputs(inShm("OUTPUT1", "r", 64)).build();

    OutputOptions o = decode(r, SIMPLE).outputOptions()[1];

    assertThat(o).isEqualTo(new OutputOptions(0, "r", 0, 64));
    assertThat(o.toSharedMemory()).isTrue();
  }

  @Test
  void shouldRefuseAnOutputRegionThatIsNotRegistered() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().addOutputs(inShm("OUTPUT1", "gone", 64)).build();

    assertThatThrownBy(() -> decode(r, SIMPLE))
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void shouldRefuseAnOutputWithBothSharedMemoryAndClassification() {
    InferRequestedOutputTensor both =
        inShm("OUTPUT0", "r", 64).toBuilder().putParameters("classification", int64(1)).build();
    ModelInferRequest r = Requests.simple(1).toBuilder().addOutputs(both).build();

    assertRefused(r, SIMPLE, "output can't set both 'shared_memory_region' and 'classification'");
  }
}
