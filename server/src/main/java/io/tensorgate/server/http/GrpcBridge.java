package io.tensorgate.server.http;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.handler.codec.http.HttpHeaders;
import io.tensorgate.server.codec.RoutingKey;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Makes one unary call of the server's own gRPC services through an in-process channel, so an HTTP
 * request takes exactly the path of a gRPC call: the same interceptors (access rules and tokens,
 * request limits, routing and trace headers, error-message rules, open-call counting for the
 * drain), the same handlers, statistics, metrics and logs. Messages are passed as objects, not
 * serialized. The HTTP headers gRPC acts on are copied into the call's metadata.
 *
 * <p>Thread-safe; {@code done} is called exactly once, on whichever thread finished the call.
 */
final class GrpcBridge {
  /** Headers that mean the same over HTTP as over gRPC. */
  private static final String[] FORWARDED = {
    "authorization", "traceparent", "tracestate", RoutingKey.NAME
  };

  /** Triton's restricted-protocol headers, {@code triton-grpc-protocol-<key>}. */
  private static final String RESTRICTED_PREFIX = "triton-grpc-protocol-";

  private final Channel channel;

  GrpcBridge(Channel channel) {
    this.channel = Objects.requireNonNull(channel, "channel");
  }

  /** Where a call's outcome goes: {@code response} is null unless {@code status} is OK. */
  interface Done<R> {
    void done(R response, Status status);
  }

  /** A started call, cancelled when the HTTP client goes away before the answer. */
  interface Handle {
    void cancel();
  }

  <Q, R> Handle call(MethodDescriptor<Q, R> method, Q request, HttpHeaders headers, Done<R> done) {
    ClientCall<Q, R> call = channel.newCall(method, CallOptions.DEFAULT);
    call.start(new Listener<>(done), metadata(headers));
    call.request(2);
    call.sendMessage(request);
    call.halfClose();
    return () -> call.cancel("the HTTP client closed the connection", null);
  }

  /** The gRPC metadata of an HTTP request: the headers both protocols share. */
  static Metadata metadata(HttpHeaders headers) {
    Metadata m = new Metadata();
    for (String name : FORWARDED) {
      String v = headers.get(name);
      if (v != null) {
        put(m, name, v);
      }
    }
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(RESTRICTED_PREFIX)) {
        put(m, name, h.getValue());
      }
    }
    return m;
  }

  private static void put(Metadata m, String name, String value) {
    try {
      m.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
    } catch (IllegalArgumentException e) {
      // A name gRPC cannot carry (Netty has already refused bad values): the call goes without it,
      // as a gRPC client could not have sent it either.
    }
  }

  /** Collects the one response and reports it with the status. */
  private static final class Listener<R> extends ClientCall.Listener<R> {
    private final Done<R> done;
    // Callbacks of one call are serialized by gRPC, so no lock is needed.
    private R response;

    Listener(Done<R> done) {
      this.done = done;
    }

    @Override
    public void onMessage(R message) {
      response = message;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (status.isOk() && response == null) {
        status = Status.INTERNAL.withDescription("the server sent no response");
      }
      done.done(status.isOk() ? response : null, status);
    }
  }
}
