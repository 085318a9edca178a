package io.tensorgate.server.provenance;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 and lower-case hex, the only hashing the provenance files use. */
final class Hex {
  private static final HexFormat HEX = HexFormat.of();

  private Hex() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  static String sha256(byte[] bytes) {
    return HEX.formatHex(sha256().digest(bytes));
  }

  static String of(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  /** Whether {@code s} is {@code length} lower-case hex digits. */
  static boolean isHex(String s, int length) {
    if (s.length() != length) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
