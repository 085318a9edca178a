package io.tensorgate.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.batching.InferenceRequest.SequenceControl;
import io.tensorgate.proto.inference.InferParameter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestParametersTest {
  private static InferParameter int64(long v) {
    return InferParameter.newBuilder().setInt64Param(v).build();
  }

  private static InferParameter uint64(long v) {
    return InferParameter.newBuilder().setUint64Param(v).build();
  }

  private static InferParameter bool(boolean v) {
    return InferParameter.newBuilder().setBoolParam(v).build();
  }

  private static InferParameter string(String v) {
    return InferParameter.newBuilder().setStringParam(v).build();
  }

  private static RequestParameters parse(Map<String, InferParameter> p) throws InferenceException {
    return RequestParameters.parse(p);
  }

  private static void assertRefused(Map<String, InferParameter> p, String message) {
    assertThatThrownBy(() -> parse(p))
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining(message);
  }

  @Test
  void shouldHaveNoPriorityTimeoutOrSequenceWhenNoParameters() throws Exception {
    RequestParameters p = parse(Map.of());

    assertThat(p.priority).isZero();
    assertThat(p.timeoutMicros).isZero();
    assertThat(p.sequence()).isNull();
  }

  @Test
  void shouldReadPriorityWhenInt64() throws Exception {
    assertThat(parse(Map.of("priority", int64(3))).priority).isEqualTo(3);
  }

  @Test
  void shouldReadPriorityWhenUint64() throws Exception {
    assertThat(parse(Map.of("priority", uint64(7))).priority).isEqualTo(7);
  }

  @Test
  void shouldAcceptPriorityZeroWhenUint64() throws Exception {
    assertThat(parse(Map.of("priority", uint64(0))).priority).isZero();
  }

  @Test
  void shouldAcceptPriorityZeroWhenInt64() throws Exception {
    assertThat(parse(Map.of("priority", int64(0))).priority).isZero();
  }

  @Test
  void shouldClampPriorityToIntMaxWhenLarger() throws Exception {
    assertThat(parse(Map.of("priority", int64(1L << 40))).priority).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void shouldRefuseNegativePriorityWhenInt64() {
    assertRefused(Map.of("priority", int64(-1)), "expected value >= 0");
  }

  @Test
  void shouldRefusePriorityWhenUint64AboveSignedRange() {
    assertRefused(Map.of("priority", uint64(-1L)), "overflows");
  }

  @Test
  void shouldRefusePriorityWhenBool() {
    assertRefused(Map.of("priority", bool(true)), "invalid value type for 'priority'");
  }

  @Test
  void shouldReadTimeoutWhenInt64() throws Exception {
    assertThat(parse(Map.of("timeout", int64(2500))).timeoutMicros).isEqualTo(2500);
  }

  @Test
  void shouldAcceptTimeoutZero() throws Exception {
    assertThat(parse(Map.of("timeout", int64(0))).timeoutMicros).isZero();
  }

  @Test
  void shouldRefuseNegativeTimeout() {
    assertRefused(Map.of("timeout", int64(-1)), "invalid value for 'timeout'");
  }

  @Test
  void shouldRefuseTimeoutWhenUint64() {
    assertRefused(Map.of("timeout", uint64(5)), "invalid value type for 'timeout'");
  }

  @Test
  void shouldReadSequenceStartAndEndWhenBool() throws Exception {
    RequestParameters p =
        parse(
            Map.of(
                "sequence_id",
                int64(42),
                "sequence_start",
                bool(true),
                "sequence_end",
                bool(true)));

    assertThat(p.sequence()).isEqualTo(new SequenceControl(42, null, true, true));
  }

  @Test
  void shouldKeepStartAndEndFalseWhenOnlyIdGiven() throws Exception {
    assertThat(parse(Map.of("sequence_id", int64(9))).sequence())
        .isEqualTo(new SequenceControl(9, null, false, false));
  }

  @Test
  void shouldReadStartFalseWhenSentFalse() throws Exception {
    RequestParameters p =
        parse(
            Map.of(
                "sequence_id",
                int64(9),
                "sequence_start",
                bool(false),
                "sequence_end",
                bool(true)));

    assertThat(p.sequence()).isEqualTo(new SequenceControl(9, null, false, true));
  }

  @Test
  void shouldRefuseSequenceStartWhenNotBool() {
    assertRefused(Map.of("sequence_start", int64(1)), "'sequence_start' parameter, expected bool");
  }

  @Test
  void shouldRefuseSequenceEndWhenNotBool() {
    assertRefused(Map.of("sequence_end", string("yes")), "'sequence_end' parameter, expected bool");
  }

  @Test
  void shouldReadStringSequenceIdWhenString() throws Exception {
    assertThat(parse(Map.of("sequence_id", string("abc"), "sequence_start", bool(true))).sequence())
        .isEqualTo(new SequenceControl(0, "abc", true, false));
  }

  @Test
  void shouldRefuseSequenceIdWhenBool() {
    assertRefused(Map.of("sequence_id", bool(true)), "invalid value type for 'sequence_id'");
  }

  @Test
  void shouldHaveNoSequenceWhenStartWithoutId() throws Exception {
    assertThat(parse(Map.of("sequence_start", bool(true))).sequence()).isNull();
  }

  @Test
  void shouldHaveNoSequenceWhenNumericIdZero() throws Exception {
    assertThat(parse(Map.of("sequence_id", int64(0), "sequence_end", bool(true))).sequence())
        .isNull();
  }

  @Test
  void shouldHaveNoSequenceWhenStringIdEmpty() throws Exception {
    assertThat(parse(Map.of("sequence_id", string(""), "sequence_end", bool(true))).sequence())
        .isNull();
  }

  @Test
  void shouldHaveNoSequenceWhenUnrelatedParameterOnly() throws Exception {
    assertThat(parse(Map.of("custom", int64(1))).sequence()).isNull();
  }

  @Test
  void shouldAcceptAllowedTritonKey() throws Exception {
    assertThat(parse(Map.of("triton_enable_empty_final_response", bool(true))).priority).isZero();
  }

  @Test
  void shouldRefuseOtherTritonKeys() {
    assertRefused(
        Map.of("triton_other", bool(true)),
        "reserved for Triton usage. Only the following keys starting with 'triton_' are allowed:"
            + " triton_enable_empty_final_response");
  }

  @Test
  void shouldAcceptUnknownKeysOfTheUsualTypes() throws Exception {
    RequestParameters p =
        parse(Map.of("a", int64(1), "b", bool(false), "c", string("x"), "d", int64(-5)));

    assertThat(p.priority).isZero();
    assertThat(p.sequence()).isNull();
  }

  @Test
  void shouldRefuseUnknownKeyWhenUint64() {
    assertRefused(Map.of("custom", uint64(1)), "'custom' parameter, expected int64_param");
  }

  @Test
  void shouldRefuseUnknownKeyWhenNoValueSet() {
    assertRefused(
        Map.of("custom", InferParameter.getDefaultInstance()),
        "'custom' parameter, expected int64_param");
  }

  @Test
  void shouldAcceptRoutingKeyWhenString() throws Exception {
    assertThat(parse(Map.of(RoutingKey.NAME, string("user-1"))).sequence()).isNull();
  }

  @Test
  void shouldRefuseRoutingKeyWhenNotString() {
    assertRefused(
        Map.of(RoutingKey.NAME, int64(1)), "'tensorgate-routing-key' parameter, expected string");
  }
}
