package io.tensorgate.loadtest;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ModelStreamInfer: one bidirectional stream per channel, requests spread round-robin over them.
 * Each request gets a unique {@code id}, which the server echoes, to match its response. A response
 * with {@code error_message} counts as a failure (status UNKNOWN with that message). There is no
 * per-request deadline on a stream.
 */
final class StreamTransport implements CallTransport {

  private final Stream[] streams;
  private final AtomicLong next = new AtomicLong();

  StreamTransport(List<ManagedChannel> channels) {
    List<Stream> opened = new ArrayList<>(channels.size());
    for (ManagedChannel channel : channels) {
      opened.add(new Stream(channel));
    }
    this.streams = opened.toArray(new Stream[0]);
  }

  @Override
  public void send(EncodedRequest request, int lane, Callback callback) {
    long id = next.getAndIncrement();
    streams[lane % streams.length].send(
        (ModelInferRequest) request.message(), Long.toString(id), callback);
  }

  @Override
  public void cancelAll(Status status) {
    for (Stream stream : streams) {
      stream.failPending(status);
    }
  }

  @Override
  public void close() {
    for (Stream stream : streams) {
      stream.close();
    }
  }

  private static final class Stream implements StreamObserver<ModelStreamInferResponse> {
    private final Map<String, Callback> pending = new ConcurrentHashMap<>();

    // StreamObserver.onNext is not thread-safe.
    @GuardedBy("this")
    private final StreamObserver<ModelInferRequest> requests;

    @GuardedBy("this")
    private Status closed;

    Stream(ManagedChannel channel) {
      this.requests = GRPCInferenceServiceGrpc.newStub(channel).modelStreamInfer(this);
    }

    void send(ModelInferRequest request, String id, Callback callback) {
      Status failure;
      synchronized (this) {
        failure = closed;
        if (failure == null) {
          pending.put(id, callback);
          requests.onNext(request.toBuilder().setId(id).build());
        }
      }
      if (failure != null) {
        callback.onComplete(failure, System.nanoTime());
      }
    }

    @Override
    public void onNext(ModelStreamInferResponse response) {
      long now = System.nanoTime();
      Callback callback = pending.remove(response.getInferResponse().getId());
      if (callback == null && !response.getErrorMessage().isEmpty()) {
        // An error that does not echo the id still answers exactly one request: charge any one.
        callback = pending.keySet().stream().findAny().map(pending::remove).orElse(null);
      }
      if (callback == null) {
        return;
      }
      if (response.getErrorMessage().isEmpty()) {
        callback.onComplete(Status.OK, now);
      } else {
        callback.onComplete(Status.UNKNOWN.withDescription(response.getErrorMessage()), now);
      }
    }

    @Override
    public void onError(Throwable t) {
      fail(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      fail(Status.UNAVAILABLE.withDescription("server ended the stream"));
    }

    private void fail(Status status) {
      synchronized (this) {
        if (closed == null) {
          closed = status;
        }
      }
      failPending(status);
    }

    void failPending(Status status) {
      long now = System.nanoTime();
      for (String id : List.copyOf(pending.keySet())) {
        Callback callback = pending.remove(id);
        if (callback != null) {
          callback.onComplete(status, now);
        }
      }
    }

    void close() {
      synchronized (this) {
        if (closed == null) {
          closed = Status.CANCELLED.withDescription("load test finished");
          requests.onCompleted();
        }
      }
    }
  }
}
