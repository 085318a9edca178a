package io.tensorgate.server.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks at start that the server's private key belongs to its certificate (the first of the
 * chain): a random challenge is signed with the key and verified with the certificate's public key.
 * Without this check a mismatched pair starts fine and then every TLS handshake fails with nothing
 * logged. Stateless.
 */
final class KeyPairCheck {
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private KeyPairCheck() {}

  /**
   * @throws IllegalArgumentException naming both flags when the key does not match the certificate
   * @throws IOException when a file cannot be read
   */
  static void verify(Path certFile, Path keyFile) throws IOException {
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(certFile)) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (GeneralSecurityException e) {
      // The TLS set-up that ran before this check reads the same file and reports it.
      return;
    }
    PublicKey publicKey = cert.getPublicKey();
    String signatureAlgorithm = signatureAlgorithm(publicKey.getAlgorithm());
    Matcher m = PKCS8.matcher(Files.readString(keyFile, StandardCharsets.US_ASCII));
    if (signatureAlgorithm == null || !m.find()) {
      // An algorithm we cannot sign with here, or an encoding the TLS set-up accepted in its own
      // way: nothing to compare.
      return;
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    if (!matches(publicKey, der, signatureAlgorithm)) {
      throw new IllegalArgumentException(
          "the private key in --grpc-server-key "
              + keyFile
              + " does not belong to the certificate in --grpc-server-cert "
              + certFile);
    }
  }

  private static boolean matches(PublicKey publicKey, byte[] keyDer, String algorithm) {
    try {
      PrivateKey key =
          KeyFactory.getInstance(publicKey.getAlgorithm())
              .generatePrivate(new PKCS8EncodedKeySpec(keyDer));
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // A key of another algorithm than the certificate's, or one that does not fit its curve.
      return false;
    }
  }

  private static String signatureAlgorithm(String keyAlgorithm) {
    switch (keyAlgorithm.toUpperCase(Locale.ROOT)) {
      case "RSA":
        return "SHA256withRSA";
      case "EC":
        return "SHA256withECDSA";
      case "ED25519":
      case "EDDSA":
        return "Ed25519";
      case "ED448":
        return "Ed448";
      default:
        return null;
    }
  }
}
