package io.tensorgate.server.codec;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.proto.inference.ModelInferRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BYTES framing across the segments a large tensor arrives in. */
class BytesFramingTest {
  private static final ModelInferRequest REQ = ModelInferRequest.getDefaultInstance();

  /** Splits {@code bytes} into segments at the given offsets. */
  private static Tensor segmented(byte[] bytes, int... cuts) {
    List<ByteBuffer> segments = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      segments.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, cut)));
      from = cut;
    }
    segments.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, bytes.length)));
    return Tensor.ofSegments("S", DataType.BYTES, new long[] {2}, segments);
  }

  /** Two elements: 3 bytes "abc", then 2 bytes "de"; the second length is 0x00000002 LE. */
  private static final byte[] TWO = {3, 0, 0, 0, 'a', 'b', 'c', 2, 0, 0, 0, 'd', 'e'};

  @Test
  void shouldAcceptALengthSplitAcrossSegments() {
    assertThatCode(() -> BytesFraming.validate(REQ, segmented(TWO, 9), 2, "m"))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldAcceptALengthSplitOverThreeSegmentsWithAnEmptyOne() {
    assertThatCode(() -> BytesFraming.validate(REQ, segmented(TWO, 8, 8, 10), 2, "m"))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldAcceptElementsWhoseDataStartsAtASegmentBoundary() {
    assertThatCode(() -> BytesFraming.validate(REQ, segmented(TWO, 4, 11), 2, "m"))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldReadTheNextLengthFromTheFollowingSegmentAfterAnElementFilledOne() {
    // Segments [1,0,0,0] ['x'] [2,0,0,0,'d','e']: the second length must come from the third.
    byte[] b = {1, 0, 0, 0, 'x', 2, 0, 0, 0, 'd', 'e'};

    assertThatCode(() -> BytesFraming.validate(REQ, segmented(b, 4, 5), 2, "m"))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldAcceptDataSplitInsideAnElement() {
    assertThatCode(() -> BytesFraming.validate(REQ, segmented(TWO, 5, 12), 2, "m"))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldReadAHighLengthByteSplitAcrossSegments() {
    // Second length 0x00000100 (256): must not read as 0 or 1 when split.
    byte[] b = {3, 0, 0, 0, 'a', 'b', 'c', 0, 1, 0, 0};

    assertThatThrownBy(() -> BytesFraming.validate(REQ, segmented(b, 8), 2, "m"))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining(
            "element 1 of inference input 'S' for model 'm' declares 256 bytes but only 0 bytes remain");
  }

  @Test
  void shouldCountRemainingBytesAfterASplitLength() {
    // After a split length of 1, 'd' is the only byte left: a third element's length is missing.
    byte[] b = {3, 0, 0, 0, 'a', 'b', 'c', 1, 0, 0, 0, 'd', 9};

    assertThatThrownBy(() -> BytesFraming.validate(REQ, segmented(b, 9), 3, "m"))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("expecting 4 bytes but only 1 bytes available");
  }

  @Test
  void shouldRefuseMoreElementsThanTheShapeWhenSplit() {
    assertThatThrownBy(() -> BytesFraming.validate(REQ, segmented(TWO, 9), 1, "m"))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("unexpected number of string elements 2");
  }

  @Test
  void shouldRefuseFewerElementsThanTheShape() {
    assertThatThrownBy(() -> BytesFraming.validate(REQ, segmented(TWO, 9), 3, "m"))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining(
            "expected 3 string elements for inference input 'S' for model 'm', got 2");
  }
}
