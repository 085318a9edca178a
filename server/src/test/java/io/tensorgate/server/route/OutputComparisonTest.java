package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputComparisonTest {
  private static Tensor floats(String name, long rows, float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return new Tensor(name, DataType.FP32, new long[] {rows, v.length / rows}, b.flip());
  }

  @Test
  void shouldReportExactMatchWhenOutputsAreIdentical() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 0.1f, 0.9f)), List.of(floats("P", 1, 0.1f, 0.9f)), 0, 0);
    assertThat(r.exact()).isTrue();
    assertThat(r.mismatch()).isFalse();
    assertThat(r.top1Rows()).isEqualTo(1);
    assertThat(r.top1Agree()).isEqualTo(1);
  }

  @Test
  void shouldMeasureDifferencesAndTopOneWhenOutputsDiffer() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 2, 0.2f, 0.8f, 0.6f, 0.4f)),
            List.of(floats("P", 2, 0.7f, 0.3f, 0.6f, 0.4f)),
            0,
            0);
    assertThat(r.exact()).isFalse();
    assertThat(r.mismatch()).isTrue();
    assertThat(r.maxAbs()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.maxRel()).isCloseTo(0.5 / 0.7, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.top1Rows()).isEqualTo(2);
    assertThat(r.top1Agree()).isEqualTo(1);
  }

  @Test
  void shouldNotCountAMismatchWhenTheDifferenceIsWithinTolerance() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 1.0f, 2.0f)), List.of(floats("P", 1, 1.0001f, 2.0f)), 1e-3, 0);
    assertThat(r.exact()).isFalse();
    assertThat(r.mismatch()).isFalse();
  }

  @Test
  void shouldCountAMismatchWhenShapesDiffer() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 1f, 2f)), List.of(floats("P", 2, 1f, 2f)), 1, 1);
    assertThat(r.mismatch()).isTrue();
  }
}
