package io.tensorgate.client;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The channel and default deadline every call of a client goes through. Immutable. */
final class Calls {
  private final Channel channel;
  private final Duration defaultDeadline;

  Calls(Channel channel, Duration defaultDeadline) {
    this.channel = channel;
    this.defaultDeadline = defaultDeadline;
  }

  Channel channel() {
    return channel;
  }

  /** The stub with {@code deadline}, or the default deadline when that is null. */
  <S extends AbstractStub<S>> S withDeadline(S stub, Duration deadline) {
    Duration d = deadline != null ? deadline : defaultDeadline;
    return d == null ? stub : stub.withDeadlineAfter(d.toNanos(), TimeUnit.NANOSECONDS);
  }

  <S extends AbstractStub<S>> S withDefaultDeadline(S stub) {
    return withDeadline(stub, null);
  }

  /** Runs a blocking call, reporting its failure as {@link InferenceServerException}. */
  static <T> T call(Supplier<T> call) {
    try {
      return call.get();
    } catch (StatusRuntimeException e) {
      throw InferenceServerException.from(e);
    }
  }
}
