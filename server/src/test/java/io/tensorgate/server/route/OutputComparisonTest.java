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

  @Test
  void shouldCompareTop1WhenAFloatOutputHasExactlyTwoClasses() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 0.1f, 0.9f)), List.of(floats("P", 1, 0.2f, 0.8f)), 1, 1);

    assertThat(r.top1Rows()).isEqualTo(1);
    assertThat(r.top1Agree()).isEqualTo(1);
  }

  @Test
  void shouldCompareTop1WhenAFloatOutputIsOneDimensional() {
    Tensor p = floats("P", 1, 0.1f, 0.9f);
    Tensor s = floats("P", 1, 0.8f, 0.2f);

    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(new Tensor("P", p.dataType(), new long[] {2}, p.data())),
            List.of(new Tensor("P", s.dataType(), new long[] {2}, s.data())),
            1,
            1);

    assertThat(r.top1Rows()).isEqualTo(1);
    assertThat(r.top1Agree()).isZero();
  }

  private static Tensor ints(String name, int... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i : v) {
      b.putInt(i);
    }
    return new Tensor(name, DataType.INT32, new long[] {1, v.length}, b.flip());
  }

  private static Tensor doubles(String name, double... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : v) {
      b.putDouble(d);
    }
    return new Tensor(name, DataType.FP64, new long[] {1, v.length}, b.flip());
  }

  private static Tensor strings(String name, String... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4 + String.join("", v).length());
    b.order(ByteOrder.LITTLE_ENDIAN);
    for (String e : v) {
      b.putInt(e.length()).put(e.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    return new Tensor(name, DataType.BYTES, new long[] {v.length}, b.flip());
  }

  @Test
  void shouldAcceptADifferenceWhenItIsWithinTheRelativeTolerance() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 100f, 200f)), List.of(floats("P", 1, 100.5f, 200f)), 0, 0.01);

    assertThat(r.mismatch()).isFalse();
    assertThat(r.maxAbs()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.maxRel()).isCloseTo(0.5 / 100.5, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void shouldCountAMismatchWhenADifferenceIsBeyondTheRelativeTolerance() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 100f, 200f)), List.of(floats("P", 1, 100.5f, 200f)), 0, 0.001);

    assertThat(r.mismatch()).isTrue();
  }

  @Test
  void shouldAddTheAbsoluteAndRelativeTolerancesWhenBothAreSet() {
    // |100 - 100.5| = 0.5 = 0.2 + 0.003 * 100: within, though beyond each alone.
    List<Tensor> primary = List.of(floats("P", 1, 100f, 200f));
    List<Tensor> shadow = List.of(floats("P", 1, 100.5f, 200f));

    assertThat(OutputComparison.compare(primary, shadow, 0.2, 0.003).mismatch()).isFalse();
    assertThat(OutputComparison.compare(primary, shadow, 0.2, 0.002).mismatch()).isTrue();
  }

  @Test
  void shouldMeasureIntegerDifferencesWhenOutputsAreIntegers() {
    OutputComparison.Result r =
        OutputComparison.compare(List.of(ints("I", 1, 5, -3)), List.of(ints("I", 1, 7, -3)), 0, 0);

    assertThat(r.mismatch()).isTrue();
    assertThat(r.maxAbs()).isEqualTo(2.0);
    assertThat(r.maxRel()).isCloseTo(2.0 / 7, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.top1Rows()).as("integers are not class scores").isZero();
  }

  @Test
  void shouldCountAMismatchWhenTheShadowLacksAnOutput() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 1f, 2f), floats("Q", 1, 3f, 4f)),
            List.of(floats("P", 1, 1f, 2f)),
            1,
            1);

    assertThat(r.exact()).isFalse();
    assertThat(r.mismatch()).isTrue();
    assertThat(r.top1Rows()).as("only P is compared by argmax").isEqualTo(1);
  }

  @Test
  void shouldCountAMismatchWhenTheDatatypesDiffer() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(ints("P", 1, 2)), List.of(floats("P", 1, 1f, 2f)), 1_000, 1_000);

    assertThat(r.exact()).isFalse();
    assertThat(r.mismatch()).isTrue();
  }

  @Test
  void shouldCompareBytesOutputsExactlyWhenTheyDiffer() {
    assertThat(
            OutputComparison.compare(
                    List.of(strings("S", "cat", "dog")), List.of(strings("S", "cat", "dog")), 1, 1)
                .exact())
        .isTrue();
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(strings("S", "cat", "dog")), List.of(strings("S", "cat", "dot")), 1_000, 1_000);
    assertThat(r.exact()).isFalse();
    assertThat(r.mismatch()).isTrue();
  }

  @Test
  void shouldCountAMismatchWhenOnlyThePrimaryIsNaN() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 1f, Float.NaN)), List.of(floats("P", 1, 1f, 2f)), 1e9, 1e9);

    assertThat(r.mismatch()).isTrue();
    assertThat(r.maxAbs()).isInfinite();
  }

  @Test
  void shouldCountAMismatchWhenOnlyTheShadowIsNaN() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 1f, 2f)), List.of(floats("P", 1, 1f, Float.NaN)), 1e9, 1e9);

    assertThat(r.mismatch()).isTrue();
    assertThat(r.maxRel()).isInfinite();
  }

  @Test
  void shouldCountAMismatchWhenThePrimaryIsInfiniteAndTheShadowIsNot() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 1f, Float.POSITIVE_INFINITY)),
            List.of(floats("P", 1, 1f, 3e38f)),
            0,
            0.5);

    assertThat(r.mismatch()).isTrue();
  }

  @Test
  void shouldSeeNoDifferenceWhenBothSidesHoldTheSameInfinity() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, Float.NEGATIVE_INFINITY, 1f)),
            List.of(floats("P", 1, Float.NEGATIVE_INFINITY, 1.5f)),
            1,
            0);

    assertThat(r.mismatch()).isFalse();
    assertThat(r.maxAbs()).isEqualTo(0.5);
  }

  @Test
  void shouldNotCountAMismatchWhenBothSidesAreNaN() {
    ByteBuffer quiet = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    quiet.putFloat(1f).putInt(0x7fc00001).flip(); // a NaN with another payload than Float.NaN
    Tensor otherNaN = new Tensor("P", DataType.FP32, new long[] {1, 2}, quiet);

    OutputComparison.Result r =
        OutputComparison.compare(List.of(floats("P", 1, 1f, Float.NaN)), List.of(otherNaN), 0, 0);

    assertThat(r.exact()).isFalse();
    assertThat(r.mismatch()).isFalse();
    assertThat(r.maxAbs()).isZero();
  }

  @Test
  void shouldFindTheLargestClassWhenScoresAreNegative() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(doubles("L", -3, -1, -2)), List.of(doubles("L", -3, -2, -1)), 10, 10);

    assertThat(r.top1Rows()).isEqualTo(1);
    assertThat(r.top1Agree()).as("argmax 1 against argmax 2").isZero();
  }

  @Test
  void shouldTakeTheFirstOfEqualScoresWhenFindingTheLargestClass() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 1, 0.5f, 0.5f)), List.of(floats("P", 1, 0.5f, 0.4f)), 1, 1);

    assertThat(r.top1Agree()).isEqualTo(1);
  }

  @Test
  void shouldNotCompareClassesWhenEachRowHasOneValue() {
    OutputComparison.Result r =
        OutputComparison.compare(
            List.of(floats("P", 2, 0.1f, 0.9f)), List.of(floats("P", 2, 0.1f, 0.9f)), 0, 0);

    assertThat(r.top1Rows()).isZero();
  }

  @Test
  void shouldKeepTheCopyWhenTheOriginalBufferIsReused() {
    Tensor original = floats("P", 1, 1f, 2f);
    List<Tensor> copy = OutputComparison.copy(List.of(original));
    original.data().putFloat(0, 9f);

    assertThat(copy)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.name()).isEqualTo("P");
              assertThat(t.shape()).containsExactly(1, 2);
              assertThat(t.data().order(ByteOrder.LITTLE_ENDIAN).getFloat(0)).isEqualTo(1f);
              assertThat(t.byteSize()).isEqualTo(8);
            });
  }
}
