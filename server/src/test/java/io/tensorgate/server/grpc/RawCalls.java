package io.tensorgate.server.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** gRPC calls whose request messages are raw bytes: for sending what no stub would send. */
final class RawCalls {
  /** Three bytes that are no protobuf message: a field tag whose varint never ends. */
  static final byte[] MALFORMED = {(byte) 0xff, (byte) 0xff, (byte) 0xff};

  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private RawCalls() {}

  /** The method with both messages as raw bytes. */
  static MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<?, ?> method) {
    return method.toBuilder(BYTES, BYTES).build();
  }

  /** Sends one raw request on a unary or server-streaming method; returns the status's error. */
  static StatusRuntimeException callExpectingError(
      Channel channel, MethodDescriptor<?, ?> method, byte[] request) {
    try {
      ClientCalls.blockingServerStreamingCall(
              channel,
              raw(method).toBuilder().setType(MethodDescriptor.MethodType.SERVER_STREAMING).build(),
              CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
              request)
          .forEachRemaining(r -> {});
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError(method.getFullMethodName() + " answered without an error");
  }
}
