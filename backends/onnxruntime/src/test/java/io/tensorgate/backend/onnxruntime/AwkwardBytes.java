package io.tensorgate.backend.onnxruntime;

import static java.util.stream.Collectors.joining;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * QuickTheories generators of BYTES elements that Java's modified UTF-8 would alter: pieces of NUL
 * bytes, invalid UTF-8 (a lone continuation byte, an overlong NUL, a surrogate encoded in UTF-8, a
 * truncated sequence), four-byte UTF-8 sequences, ordinary text and random bytes, concatenated.
 */
final class AwkwardBytes {
  private static final List<byte[]> PIECES =
      List.of(
          new byte[] {0},
          new byte[] {(byte) 0x80},
          new byte[] {(byte) 0xFF},
          new byte[] {(byte) 0xC0, (byte) 0x80},
          new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
          new byte[] {(byte) 0xE2, (byte) 0x82},
          new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80},
          new byte[] {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF},
          "h\u00e9llo \u4e2d".getBytes(StandardCharsets.UTF_8));

  private AwkwardBytes() {}

  /** One element: up to 6 pieces, each a special sequence or up to 16 random bytes. */
  static Gen<byte[]> elements() {
    Gen<byte[]> random =
        lists()
            .of(integers().between(0, 255))
            .ofSizeBetween(0, 16)
            .map(
                values -> {
                  byte[] bytes = new byte[values.size()];
                  for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = values.get(i).byteValue();
                  }
                  return bytes;
                });
    Gen<byte[]> piece = Generate.pick(PIECES).mix(random, 50);
    return lists()
        .of(piece)
        .ofSizeBetween(0, 6)
        .map(
            pieces -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              pieces.forEach(out::writeBytes);
              return out.toByteArray();
            });
  }

  /** A tensor's worth of elements: up to {@code max} of them, described in hex. */
  static Gen<List<byte[]>> tensors(int max) {
    return lists()
        .of(elements())
        .ofSizeBetween(0, max)
        .describedAs(
            elements -> elements.stream().map(AwkwardBytes::hex).collect(joining(", ", "[", "]")));
  }

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder("\"");
    for (byte b : bytes) {
      sb.append(String.format("%02x", b & 0xFF));
    }
    return sb.append('"').toString();
  }
}
