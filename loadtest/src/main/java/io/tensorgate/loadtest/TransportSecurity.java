package io.tensorgate.loadtest;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * ghz's connection security flags. As in ghz, a connection is TLS unless {@code --insecure}: the
 * server is verified against the JVM's default roots or {@code --cacert}, under its host name or
 * {@code --cname}; {@code --skipTLS} verifies nothing; {@code --cert} and {@code --key} present a
 * client certificate (mutual TLS).
 *
 * @param insecure plaintext HTTP/2 (h2c)
 * @param caCert PEM roots to trust, or null for the JVM's
 * @param cert PEM client certificate chain, or null
 * @param key PEM PKCS#8 client key, or null
 * @param cname the server name to verify (and send as SNI), or null for the target's host
 * @param skipTls accept any server certificate
 */
record TransportSecurity(
    boolean insecure, Path caCert, Path cert, Path key, String cname, boolean skipTls) {

  TransportSecurity {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--cert and --key go together");
    }
    for (Path file : new Path[] {caCert, cert, key}) {
      if (file != null && !Files.isReadable(file)) {
        throw new IllegalArgumentException("cannot read " + file);
      }
    }
  }

  static TransportSecurity plaintext() {
    return new TransportSecurity(true, null, null, null, null, false);
  }

  /** The name the server's certificate is checked against. */
  String serverName(String host) {
    return cname == null || cname.isEmpty() ? host : cname;
  }

  /** TLS for the lean client (ALPN h2), or null for plaintext. */
  SslContext leanClientContext() throws SSLException {
    if (insecure) {
      return null;
    }
    return builder()
        .applicationProtocolConfig(
            new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                ApplicationProtocolNames.HTTP_2))
        .build();
  }

  /** TLS for grpc-java channels (control calls), or null for plaintext. */
  SslContext grpcContext() throws SSLException {
    return insecure ? null : GrpcSslContexts.configure(builder()).build();
  }

  private SslContextBuilder builder() {
    SslContextBuilder builder = SslContextBuilder.forClient();
    if (skipTls) {
      builder
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .endpointIdentificationAlgorithm(null);
    } else {
      builder.endpointIdentificationAlgorithm("HTTPS");
      if (caCert != null) {
        builder.trustManager(caCert.toFile());
      }
    }
    if (cert != null) {
      builder.keyManager(cert.toFile(), key.toFile());
    }
    return builder;
  }
}
