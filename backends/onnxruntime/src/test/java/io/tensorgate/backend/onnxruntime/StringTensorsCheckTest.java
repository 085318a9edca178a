package io.tensorgate.backend.onnxruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StringTensorsCheckTest {
  private static ByteBuffer bytes(byte[]... elements) {
    int n = 0;
    for (byte[] e : elements) {
      n += 4 + e.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] e : elements) {
      b.putInt(e.length).put(e);
    }
    return b.flip();
  }

  @Test
  void shouldAcceptBasicMultilingualPlaneTextWithoutNul() {
    assertThat(
            StringTensors.unsupportedElement(
                "x",
                bytes(
                    "héllo".getBytes(StandardCharsets.UTF_8),
                    new byte[0],
                    "€".getBytes(StandardCharsets.UTF_8))))
        .isNull();
  }

  @Test
  void shouldNameTheElementWhenUtf8IsInvalid() {
    assertThat(
            StringTensors.unsupportedElement(
                "x", bytes("ok".getBytes(), new byte[] {(byte) 0xC3, 0x28})))
        .startsWith("element 1 of input 'x' is not valid UTF-8");
  }

  @Test
  void shouldRefuseNulBytes() {
    assertThat(StringTensors.unsupportedElement("x", bytes(new byte[] {'a', 0})))
        .contains("NUL byte");
  }

  @Test
  void shouldRefuseCharactersOutsideTheBasicPlane() {
    assertThat(
            StringTensors.unsupportedElement(
                "x", bytes("\uD83D\uDE00".getBytes(StandardCharsets.UTF_8))))
        .contains("outside the Basic Multilingual Plane");
  }
}
