package io.tensorgate.server.admin;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Lets a call through only with {@code authorization: Bearer <token>} matching the admin token;
 * compared in constant time. Others get UNAUTHENTICATED before the service sees the call.
 */
public final class AdminTokenGuard implements ServerInterceptor {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";

  private final byte[] token;

  public AdminTokenGuard(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("the admin token is empty");
    }
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  /** Reads the token from a file (surrounding white space ignored). */
  public static AdminTokenGuard fromFile(Path file) throws IOException {
    String t = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (t.isEmpty()) {
      throw new IOException("admin token file " + file + " is empty");
    }
    return new AdminTokenGuard(t);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String h = headers.get(AUTHORIZATION);
    byte[] given =
        h != null && h.regionMatches(true, 0, BEARER, 0, BEARER.length())
            ? h.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8)
            : new byte[0];
    // MessageDigest.isEqual takes time independent of where the arrays first differ.
    if (!MessageDigest.isEqual(given, token)) {
      call.close(
          Status.UNAUTHENTICATED.withDescription("admin calls need a valid bearer token"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
