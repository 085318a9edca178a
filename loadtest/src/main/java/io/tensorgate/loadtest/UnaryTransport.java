package io.tensorgate.loadtest;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Unary ModelInfer calls spread round-robin over the channels, each with its own deadline. */
final class UnaryTransport implements InferTransport {

  // An array instead of a List: indexed once per request on the hot path.
  private final ManagedChannel[] channels;
  private final long timeoutNanos;
  private final AtomicLong next = new AtomicLong();

  UnaryTransport(List<ManagedChannel> channels, Duration timeout) {
    this.channels = channels.toArray(new ManagedChannel[0]);
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void infer(ModelInferRequest request, Callback callback) {
    ManagedChannel channel = channels[(int) (next.getAndIncrement() % channels.length)];
    ClientCalls.asyncUnaryCall(
        channel.newCall(
            GRPCInferenceServiceGrpc.getModelInferMethod(),
            CallOptions.DEFAULT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS)),
        request,
        new StreamObserver<ModelInferResponse>() {
          @Override
          public void onNext(ModelInferResponse response) {}

          @Override
          public void onError(Throwable t) {
            callback.onComplete(Status.fromThrowable(t), System.nanoTime());
          }

          @Override
          public void onCompleted() {
            callback.onComplete(Status.OK, System.nanoTime());
          }
        });
  }

  @Override
  public void close() {}
}
