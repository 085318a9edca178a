package io.tensorgate.server.provenance;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys in PEM: public keys as X.509 SubjectPublicKeyInfo ({@code PUBLIC KEY}), private keys
 * as PKCS#8 ({@code PRIVATE KEY}), the forms {@code openssl genpkey -algorithm ed25519} and {@code
 * openssl pkey -pubout} write.
 */
final class Pem {
  static final String ALGORITHM = "Ed25519";
  private static final String PUBLIC = "PUBLIC KEY";
  private static final String PRIVATE = "PRIVATE KEY";

  private Pem() {}

  static PublicKey publicKey(String pem) throws GeneralSecurityException {
    if (pem.contains("-----BEGIN " + PRIVATE) || pem.contains("PRIVATE KEY-----")) {
      throw new GeneralSecurityException("it holds a private key; give public keys only");
    }
    return KeyFactory.getInstance(ALGORITHM)
        .generatePublic(new X509EncodedKeySpec(body(pem, PUBLIC)));
  }

  static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    return KeyFactory.getInstance(ALGORITHM)
        .generatePrivate(new PKCS8EncodedKeySpec(body(pem, PRIVATE)));
  }

  static String encode(String type, byte[] der) {
    String b64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
  }

  static String publicPem(PublicKey key) {
    return encode(PUBLIC, key.getEncoded());
  }

  static String privatePem(PrivateKey key) {
    return encode(PRIVATE, key.getEncoded());
  }

  private static byte[] body(String pem, String type) throws GeneralSecurityException {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end);
    if (b < 0 || e < b) {
      throw new GeneralSecurityException("no '" + begin + "' block");
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    } catch (IllegalArgumentException ex) {
      throw new GeneralSecurityException("the " + type + " block is not base64", ex);
    }
  }
}
