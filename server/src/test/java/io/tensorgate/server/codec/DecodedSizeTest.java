package io.tensorgate.server.codec;

import static io.tensorgate.server.Requests.input;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.Requests;
import org.junit.jupiter.api.Test;

class DecodedSizeTest {
  @Test
  void shouldCountRawBytesOnceWhenTheTypeHasAFixedSize() {
    ModelInferRequest r = Requests.simple(2);

    assertThat(DecodedSize.estimate(r)).isEqualTo(2 * 2 * 16 * 4);
  }

  @Test
  void shouldAddAnAllowancePerElementWhenTheInputIsBytes() {
    ByteString data = Requests.bytesTensor(new byte[0], new byte[0], new byte[] {1, 2, 3});
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(input("INPUT0", "BYTES", 1, 3))
            .addRawInputContents(data)
            .build();

    assertThat(DecodedSize.estimate(r))
        .isEqualTo(data.size() + 3 * DecodedSize.BYTES_ELEMENT_BYTES);
  }

  @Test
  void shouldCountTheByteStringsAndTheDecodersCopyWhenBytesAreTyped() {
    InferTensorContents c =
        InferTensorContents.newBuilder()
            .addBytesContents(ByteString.copyFromUtf8("abcd"))
            .addBytesContents(ByteString.EMPTY)
            .build();
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(input("INPUT0", "BYTES", 1, 2).toBuilder().setContents(c))
            .build();

    long byteStrings = 2 * DecodedSize.TYPED_BYTES_ELEMENT_BYTES + 4;
    long framedCopy = 2 * 4 + 4;
    assertThat(DecodedSize.estimate(r))
        .isEqualTo(byteStrings + framedCopy + 2 * DecodedSize.BYTES_ELEMENT_BYTES);
  }

  @Test
  void shouldCountTypedNumbersAtTheirWireSize() {
    ModelInferRequest r = Requests.simpleTyped(Requests.range(0, 16), Requests.range(0, 16));

    assertThat(DecodedSize.estimate(r)).isEqualTo(2 * 16 * 4);
  }

  @Test
  void shouldCountTheSharedMemorySliceWhenAnInputLivesThere() {
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .putParameters(
                        "shared_memory_byte_size",
                        InferParameter.newBuilder().setInt64Param(64).build()))
            .build();

    assertThat(DecodedSize.estimate(r)).isEqualTo(64);
  }

  @Test
  void shouldCountNoElementsWhenTheShapeOverflowsOrIsNegative() {
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(input("A", "BYTES", Long.MAX_VALUE, 4))
            .addInputs(input("B", "BYTES", -1, 4))
            .build();

    assertThat(DecodedSize.estimate(r)).isZero();
  }

  @Test
  void shouldCountEachTypedFieldAtItsWireSizeWhenSeveralAreSet() {
    InferTensorContents c =
        InferTensorContents.newBuilder()
            .addBoolContents(true)
            .addIntContents(1)
            .addInt64Contents(1)
            .addUintContents(1)
            .addUint64Contents(1)
            .addFp32Contents(1)
            .addFp64Contents(1)
            .build();
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(input("A", "INT32", 1).toBuilder().setContents(c))
            .build();

    assertThat(DecodedSize.estimate(r)).isEqualTo(1 + 4 + 8 + 4 + 8 + 4 + 8);
  }

  @Test
  void shouldSaturateWhenTheSizesOverflow() {
    InferParameter huge = InferParameter.newBuilder().setInt64Param(Long.MAX_VALUE - 8).build();
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(
                input("A", "INT32", 1).toBuilder().putParameters("shared_memory_byte_size", huge))
            .addInputs(
                input("B", "INT32", 1).toBuilder().putParameters("shared_memory_byte_size", huge))
            .build();

    assertThat(DecodedSize.estimate(r)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void shouldAddExactlyWhenTheSumIsLargeButFits() {
    InferParameter big = InferParameter.newBuilder().setInt64Param(1L << 61).build();
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(
                input("A", "INT32", 1).toBuilder().putParameters("shared_memory_byte_size", big))
            .addInputs(
                input("B", "INT32", 1).toBuilder().putParameters("shared_memory_byte_size", big))
            .addInputs(
                input("C", "INT32", 1).toBuilder().putParameters("shared_memory_byte_size", big))
            .build();

    assertThat(DecodedSize.estimate(r)).isEqualTo(3L << 61);
  }
}
