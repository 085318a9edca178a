package io.tensorgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelInferResponse.InferOutputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class InferOutputTest {
  private static InferOutput raw(String datatype, ByteBuffer data, long... shape) {
    InferOutputTensor.Builder t = InferOutputTensor.newBuilder().setName("y").setDatatype(datatype);
    for (long d : shape) {
      t.addShape(d);
    }
    ModelInferResponse r =
        ModelInferResponse.newBuilder()
            .addOutputs(t)
            .addRawOutputContents(ByteString.copyFrom(data.flip()))
            .build();
    return InferResult.of(r).output("y");
  }

  private static ByteBuffer le(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void shouldReadFloatsAndRowsWhenFp32() {
    InferOutput out = raw("FP32", le(16).putFloat(1).putFloat(2).putFloat(3).putFloat(4), 2, 2);
    assertThat(out.asFloats()).containsExactly(1, 2, 3, 4);
    assertThat(out.asFloatRows()).isDeepEqualTo(new float[][] {{1, 2}, {3, 4}});
    assertThat(out.asDoubles()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void shouldWidenHalvesWhenFp16OrBf16() {
    assertThat(raw("FP16", le(4).putShort((short) 0x3c00).putShort((short) 0xc000), 2).asFloats())
        .containsExactly(1f, -2f);
    assertThat(raw("BF16", le(4).putShort((short) 0x3f80).putShort((short) 0xc040), 2).asFloats())
        .containsExactly(1f, -3f);
  }

  @Test
  void shouldReadUnsignedIntegersAsUnsignedWhenWidened() {
    assertThat(raw("UINT8", le(1).put((byte) 0xff), 1).asInts()).containsExactly(255);
    assertThat(raw("UINT16", le(2).putShort((short) 0xffff), 1).asInts()).containsExactly(65535);
    assertThat(raw("UINT32", le(4).putInt(-1), 1).asLongs()).containsExactly(0xffffffffL);
    assertThat(raw("UINT64", le(8).putLong(-1), 1).asLongs()).containsExactly(-1L);
    assertThat(raw("INT8", le(1).put((byte) -1), 1).asLongs()).containsExactly(-1L);
  }

  @Test
  void shouldRefuseIntsWhenUint32DoesNotFitAnInt() {
    assertThatThrownBy(() -> raw("UINT32", le(4).putInt(-1), 1).asInts())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("UINT32, which does not read as");
  }

  @Test
  void shouldRefuseFloatsWhenOutputIsBytes() {
    assertThatThrownBy(() -> raw("BYTES", le(4).putInt(0), 1).asFloats())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("output 'y' is BYTES, which does not read as [FP32, FP16, BF16]");
  }

  @Test
  void shouldRefuseDataWhenByteCountDoesNotMatchTheShape() {
    assertThatThrownBy(
            () -> raw("FP32", le(12).putFloat(1).putFloat(2).putFloat(3), 2, 2).asFloats())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("output 'y' has 12 bytes for shape [2, 2] of FP32 (16 expected)");
  }

  @Test
  void shouldReadBooleansWhenBool() {
    assertThat(raw("BOOL", le(2).put((byte) 1).put((byte) 0), 2).asBooleans())
        .containsExactly(true, false);
  }

  @Test
  void shouldSplitFramedElementsWhenBytes() {
    InferOutput out =
        raw("BYTES", le(11).putInt(2).put((byte) 'h').put((byte) 'i').putInt(1).put((byte) 0), 2);
    assertThat(out.asStrings()).containsExactly("hi", "\0");
    assertThat(out.asBytes()[1]).containsExactly(0);
  }

  @Test
  void shouldRefuseBytesWhenFramingIsMalformed() {
    assertThatThrownBy(() -> raw("BYTES", le(5).putInt(100).put((byte) 1), 1).asBytes())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("malformed BYTES tensor 'y': element 0 claims more bytes than remain");
    assertThatThrownBy(() -> raw("BYTES", le(6).putInt(1).put((byte) 1).put((byte) 2), 1).asBytes())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("malformed BYTES tensor 'y': 1 bytes follow the last element");
  }

  @Test
  void shouldParseClassesWhenClassificationOutput() {
    InferOutput out =
        InferResult.of(
                ModelInferResponse.newBuilder()
                    .addOutputs(
                        InferOutputTensor.newBuilder()
                            .setName("y")
                            .setDatatype("BYTES")
                            .addShape(1)
                            .addShape(2))
                    .addRawOutputContents(
                        ByteString.copyFrom(
                            BytesFraming.encode(
                                new byte[][] {"0.875000:3:three".getBytes(), "0.1:7".getBytes()})))
                    .build())
            .output("y");
    assertThat(out.asClassifications())
        .containsExactly(new Classification(0.875f, 3, "three"), new Classification(0.1f, 7, ""));
  }

  @Test
  void shouldKeepColonsOfTheLabelWhenParsingAClass() {
    assertThat(Classification.parse("1:2:a:b")).isEqualTo(new Classification(1f, 2, "a:b"));
    assertThatThrownBy(() -> Classification.parse("nope"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldReadTypedContentsWhenTheServerSentNoRawBytes() {
    ModelInferResponse r =
        ModelInferResponse.newBuilder()
            .addOutputs(
                InferOutputTensor.newBuilder()
                    .setName("a")
                    .setDatatype("FP32")
                    .addShape(2)
                    .setContents(
                        InferTensorContents.newBuilder()
                            .addFp32Contents(1.5f)
                            .addFp32Contents(-2f)))
            .addOutputs(
                InferOutputTensor.newBuilder()
                    .setName("b")
                    .setDatatype("UINT16")
                    .addShape(1)
                    .setContents(InferTensorContents.newBuilder().addUintContents(65535)))
            .addOutputs(
                InferOutputTensor.newBuilder()
                    .setName("c")
                    .setDatatype("BYTES")
                    .addShape(1)
                    .setContents(
                        InferTensorContents.newBuilder()
                            .addBytesContents(ByteString.copyFromUtf8("z"))))
            .build();
    InferResult result = InferResult.of(r);
    assertThat(result.output("a").asFloats()).containsExactly(1.5f, -2f);
    assertThat(result.output("b").asInts()).containsExactly(65535);
    assertThat(result.output("c").asStrings()).containsExactly("z");
  }

  @Test
  void shouldSaySoWhenOutputWentToSharedMemory() {
    ModelInferResponse r =
        ModelInferResponse.newBuilder()
            .addOutputs(
                InferOutputTensor.newBuilder()
                    .setName("y")
                    .setDatatype("FP32")
                    .addShape(1)
                    .putParameters(
                        "shared_memory_region",
                        InferParameter.newBuilder().setStringParam("r").build()))
            .addRawOutputContents(ByteString.EMPTY)
            .build();
    InferOutput out = InferResult.of(r).output("y");
    assertThat(out.inSharedMemory()).isTrue();
    assertThatThrownBy(out::asFloats)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("output 'y' has no data in the answer (it was written to shared memory)");
  }

  @Test
  void shouldListTheOutputsWhenAskedForOneThatIsMissing() {
    InferResult r =
        InferResult.of(
            ModelInferResponse.newBuilder()
                .addOutputs(InferOutputTensor.newBuilder().setName("a").setDatatype("FP32"))
                .build());
    assertThatThrownBy(() -> r.output("b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no output 'b' in the answer; it has [a]");
  }

  @Test
  void shouldRefuseUnknownDatatypeWhenRead() {
    InferOutput out = raw("COMPLEX64", le(8).putLong(0), 1);
    assertThatThrownBy(out::datatype)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("output 'y' has unknown datatype 'COMPLEX64'");
  }
}
