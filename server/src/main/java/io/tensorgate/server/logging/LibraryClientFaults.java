package io.tensorgate.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Objects;
import org.slf4j.Marker;

/**
 * Turns the log events gRPC and Netty write for client protocol faults, each with a stack trace,
 * into {@link ClientFaults} records: grpc-netty's "Transport failed" (a connection that broke on
 * bad bytes, a failed TLS handshake, a protocol violation) and "Stream Error" (a stream-level
 * HTTP/2 violation), and "Exception processing message" (a message gRPC's deframer could not frame:
 * a stream that ends inside a message, a compressed message without an encoding). Errors of the JVM
 * ({@link Error}) are server faults and pass through unchanged.
 */
final class LibraryClientFaults extends TurboFilter {
  static final String NAME = "tensorgate-client-faults";
  private static final String CONNECTIONS_LOGGER = "io.grpc.netty.NettyServerTransport.connections";
  private static final String HANDLER_LOGGER = "io.grpc.netty.NettyServerHandler";
  private static final String STREAM_LOGGER = "io.grpc.netty.NettyServerStream";

  private final ClientFaults faults;

  LibraryClientFaults(ClientFaults faults) {
    this.faults = Objects.requireNonNull(faults, "faults");
    setName(NAME);
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null || t instanceof Error) {
      return FilterReply.NEUTRAL;
    }
    ClientFaults.Kind kind = kind(logger.getName(), format);
    if (kind == null) {
      return FilterReply.NEUTRAL;
    }
    faults.record(kind, t == null ? format : format + ": " + t.getMessage());
    return FilterReply.DENY;
  }

  private static ClientFaults.Kind kind(String logger, String message) {
    if (logger.equals(CONNECTIONS_LOGGER) && message.equals("Transport failed")) {
      return ClientFaults.Kind.CONNECTION_ERROR;
    }
    if (logger.equals(HANDLER_LOGGER) && message.equals("Stream Error")) {
      return ClientFaults.Kind.STREAM_ERROR;
    }
    if (logger.equals(STREAM_LOGGER) && message.equals("Exception processing message")) {
      return ClientFaults.Kind.MALFORMED_MESSAGE;
    }
    return null;
  }
}
