package io.tensorgate.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.InferTensorContents;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TypedContentsTest {
  private static InferTensorContents.Builder contents() {
    return InferTensorContents.newBuilder();
  }

  private static byte[] bytes(InferTensorContents.Builder c, DataType declared)
      throws InferenceException {
    ByteBuffer b = TypedContents.toBytes(c.build(), declared, "IN", "m");
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static byte[] b(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }

  @Test
  void shouldReturnNullWhenNoFieldHoldsElements() throws Exception {
    assertThat(TypedContents.toBytes(contents().build(), DataType.INT32, "IN", "m")).isNull();
  }

  @Test
  void shouldEncodeBoolAsOneBytePerElement() throws Exception {
    assertThat(bytes(contents().addBoolContents(true).addBoolContents(false), DataType.BOOL))
        .containsExactly(1, 0);
  }

  @Test
  void shouldEncodeInt8FromIntContents() throws Exception {
    assertThat(bytes(contents().addIntContents(-2).addIntContents(3), DataType.INT8))
        .containsExactly(b(0xfe, 3));
  }

  @Test
  void shouldEncodeInt16LittleEndianFromIntContents() throws Exception {
    assertThat(bytes(contents().addIntContents(0x1234).addIntContents(-1), DataType.INT16))
        .containsExactly(b(0x34, 0x12, 0xff, 0xff));
  }

  @Test
  void shouldEncodeInt32LittleEndian() throws Exception {
    assertThat(bytes(contents().addIntContents(0x01020304).addIntContents(5), DataType.INT32))
        .containsExactly(b(4, 3, 2, 1, 5, 0, 0, 0));
  }

  @Test
  void shouldEncodeInt64LittleEndian() throws Exception {
    assertThat(
            bytes(
                contents().addInt64Contents(0x0102030405060708L).addInt64Contents(-1),
                DataType.INT64))
        .containsExactly(b(8, 7, 6, 5, 4, 3, 2, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
  }

  @Test
  void shouldEncodeUint8FromUintContents() throws Exception {
    assertThat(bytes(contents().addUintContents(255).addUintContents(1), DataType.UINT8))
        .containsExactly(b(0xff, 1));
  }

  @Test
  void shouldEncodeUint16LittleEndianFromUintContents() throws Exception {
    assertThat(bytes(contents().addUintContents(0xabcd).addUintContents(2), DataType.UINT16))
        .containsExactly(b(0xcd, 0xab, 2, 0));
  }

  @Test
  void shouldEncodeUint32LittleEndian() throws Exception {
    assertThat(bytes(contents().addUintContents(0xfffffffe).addUintContents(7), DataType.UINT32))
        .containsExactly(b(0xfe, 0xff, 0xff, 0xff, 7, 0, 0, 0));
  }

  @Test
  void shouldEncodeUint64LittleEndian() throws Exception {
    assertThat(
            bytes(
                contents().addUint64Contents(0x0102030405060708L).addUint64Contents(9),
                DataType.UINT64))
        .containsExactly(b(8, 7, 6, 5, 4, 3, 2, 1, 9, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void shouldEncodeFp32LittleEndian() throws Exception {
    assertThat(bytes(contents().addFp32Contents(1.0f).addFp32Contents(-2.0f), DataType.FP32))
        .containsExactly(b(0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0));
  }

  @Test
  void shouldEncodeFp64LittleEndian() throws Exception {
    assertThat(bytes(contents().addFp64Contents(1.0).addFp64Contents(2.0), DataType.FP64))
        .containsExactly(b(0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40));
  }

  @Test
  void shouldFrameBytesWithLittleEndianLengths() throws Exception {
    InferTensorContents.Builder c =
        contents()
            .addBytesContents(ByteString.copyFromUtf8("ab"))
            .addBytesContents(ByteString.EMPTY);

    assertThat(bytes(c, DataType.BYTES)).containsExactly(b(2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0));
  }

  @Test
  void shouldRefuseTwoFieldsWhenBoolAndInt() {
    assertTwoFieldsRefused(contents().addBoolContents(true).addIntContents(1), DataType.INT32);
  }

  @Test
  void shouldRefuseTwoFieldsWhenInt64AndUint() {
    assertTwoFieldsRefused(contents().addInt64Contents(1).addUintContents(1), DataType.INT64);
  }

  @Test
  void shouldRefuseTwoFieldsWhenUint64AndFp32() {
    assertTwoFieldsRefused(contents().addUint64Contents(1).addFp32Contents(1), DataType.FP32);
  }

  @Test
  void shouldRefuseTwoFieldsWhenFp64AndBytes() {
    assertTwoFieldsRefused(
        contents().addFp64Contents(1).addBytesContents(ByteString.EMPTY), DataType.BYTES);
  }

  @Test
  void shouldRefuseTwoFieldsWhenIntAndFp64() {
    assertTwoFieldsRefused(contents().addIntContents(1).addFp64Contents(1), DataType.FP64);
  }

  private static void assertTwoFieldsRefused(InferTensorContents.Builder c, DataType declared) {
    assertThatThrownBy(() -> TypedContents.toBytes(c.build(), declared, "IN", "m"))
        .isInstanceOf(InferenceException.class)
        .hasMessage(
            "unexpected explicit tensor data for input tensor 'IN' for model 'm', binary data was"
                + " already supplied.");
  }

  @Test
  void shouldRefuseIntContentsWhenDeclaredUint8() {
    assertThatThrownBy(() -> bytes(contents().addIntContents(1), DataType.UINT8))
        .isInstanceOf(InferenceException.class)
        .hasMessage(
            "unexpected explicit tensor data for input tensor 'IN' for model 'm' of type 'INT32',"
                + " expected datatype 'UINT8'");
  }

  @Test
  void shouldRefuseUintContentsWhenDeclaredInt16() {
    assertThatThrownBy(() -> bytes(contents().addUintContents(1), DataType.INT16))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("of type 'UINT32', expected datatype 'INT16'");
  }

  @Test
  void shouldRefuseFp32ContentsWhenDeclaredFp16() {
    assertThatThrownBy(() -> bytes(contents().addFp32Contents(1), DataType.FP16))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("of type 'FP32', expected datatype 'FP16'");
  }
}
