package io.tensorgate.server.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the gRPC calls the server has started and not yet closed, unary and streaming apart.
 *
 * <p>A call counts as closed when gRPC reports it complete or cancelled; for a completed call that
 * happens after its trailers were written to the connection, so a shutdown that waits for the unary
 * count to reach zero before {@code shutdownNow()} cancels no response on its way out. Install once
 * with {@code NettyServerBuilder.intercept}; every method runs on the transport threads.
 */
public final class OpenCalls implements ServerInterceptor {
  private final AtomicInteger unary = new AtomicInteger();
  private final AtomicInteger streaming = new AtomicInteger();

  /** Unary calls started and not yet complete or cancelled. */
  public int unary() {
    return unary.get();
  }

  /** Client-, server- or bidi-streaming calls still open. */
  public int streaming() {
    return streaming.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    AtomicInteger count =
        call.getMethodDescriptor().getType() == MethodType.UNARY ? unary : streaming;
    count.incrementAndGet();
    ServerCall.Listener<Q> delegate;
    try {
      delegate = next.startCall(call, headers);
    } catch (RuntimeException e) {
      count.decrementAndGet();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      private boolean done;

      @Override
      public void onComplete() {
        closed();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        closed();
        super.onCancel();
      }

      // gRPC calls the listener serially, and at most one of onComplete / onCancel.
      private void closed() {
        if (!done) {
          done = true;
          count.decrementAndGet();
        }
      }
    };
  }
}
