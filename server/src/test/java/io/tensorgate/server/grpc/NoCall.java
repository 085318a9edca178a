package io.tensorgate.server.grpc;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.tensorgate.proto.inference.ModelInferRequest;

/** A call the handler under test never writes to: for tests that drive a listener themselves. */
final class NoCall extends ServerCall<ModelInferRequest, Object> {
  @Override
  public void request(int numMessages) {}

  @Override
  public void sendHeaders(Metadata headers) {}

  @Override
  public void sendMessage(Object message) {}

  @Override
  public void close(Status status, Metadata trailers) {}

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public MethodDescriptor<ModelInferRequest, Object> getMethodDescriptor() {
    return null;
  }
}
