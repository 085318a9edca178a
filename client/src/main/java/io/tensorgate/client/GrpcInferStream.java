package io.tensorgate.client;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceStub;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@link InferStream} over one ModelStreamInfer call. Answers are matched to requests by id, since
 * the server answers in completion order; Triton and Tensorgate echo the id in error answers too.
 */
final class GrpcInferStream
    implements InferStream, ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {
  private static final String ID_PREFIX = "tensorgate-client-";

  private final Object lock = new Object();
  private final CompletableFuture<Void> completion = new CompletableFuture<>();

  // Requests waiting for their answer, by wire id, oldest first.
  @GuardedBy("lock")
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  @GuardedBy("lock")
  private long nextId;

  // Set once the sending side is closed or the call has ended.
  @GuardedBy("lock")
  private boolean closed;

  // Set in beforeStart, inside open(); gRPC's request observer is not thread-safe.
  @GuardedBy("lock")
  private ClientCallStreamObserver<ModelInferRequest> requests;

  private GrpcInferStream() {}

  static GrpcInferStream open(GRPCInferenceServiceStub stub) {
    GrpcInferStream s = new GrpcInferStream();
    stub.modelStreamInfer(s);
    return s;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ModelInferRequest> requestStream) {
    synchronized (lock) {
      this.requests = requestStream;
    }
  }

  @Override
  public CompletableFuture<InferResult> send(InferRequest request) {
    ModelInferRequest proto = request.toProto();
    CompletableFuture<InferResult> future = new CompletableFuture<>();
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("the stream is closed; open a new one"));
      }
      String id = proto.getId();
      if (id.isEmpty()) {
        do {
          id = ID_PREFIX + nextId++;
        } while (pending.containsKey(id));
        proto = proto.toBuilder().setId(id).build();
      } else if (pending.containsKey(id)) {
        throw new IllegalArgumentException(
            "request id '" + Shapes.clip(id) + "' is still waiting for its answer on this stream");
      }
      pending.put(id, new Pending(request, future));
      requests.onNext(proto);
    }
    return future;
  }

  @Override
  public void onNext(ModelStreamInferResponse message) {
    String id = message.hasInferResponse() ? message.getInferResponse().getId() : "";
    String error = message.getErrorMessage();
    Pending p;
    List<Pending> unmatched = List.of();
    synchronized (lock) {
      p = pending.remove(id);
      if (p == null && !error.isEmpty() && id.isEmpty()) {
        if (pending.size() == 1) {
          p = pending.remove(pending.keySet().iterator().next());
        } else {
          // An error naming no request while several wait: it cannot be attributed, so every
          // waiting request fails rather than the wrong one.
          unmatched = new ArrayList<>(pending.values());
          pending.clear();
        }
      }
    }
    if (!unmatched.isEmpty()) {
      InferenceServerException e =
          new InferenceServerException(
              Status.Code.UNKNOWN, error + " (the server named no request id)", null);
      unmatched.forEach(u -> u.future.completeExceptionally(e));
      cancel();
      return;
    }
    if (p == null) {
      return; // An answer to no waiting request (a decoupled model's extra answer): dropped.
    }
    if (!error.isEmpty()) {
      p.future.completeExceptionally(
          new InferenceServerException(Status.Code.UNKNOWN, error, null));
    } else {
      p.future.complete(p.request.result(message.getInferResponse(), p.request.id()));
    }
  }

  @Override
  public void onError(Throwable t) {
    InferenceServerException e = InferenceServerException.from(t);
    failAll(e);
    completion.completeExceptionally(e);
  }

  @Override
  public void onCompleted() {
    failAll(
        new InferenceServerException(
            Status.Code.INTERNAL, "the server ended the stream before answering", null));
    completion.complete(null);
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      requests.onCompleted();
    }
  }

  @Override
  public void cancel() {
    synchronized (lock) {
      closed = true;
      requests.cancel("cancelled by the client", null);
    }
  }

  @Override
  public CompletableFuture<Void> completion() {
    return completion;
  }

  private void failAll(InferenceServerException e) {
    List<Pending> failed;
    synchronized (lock) {
      closed = true;
      failed = new ArrayList<>(pending.values());
      pending.clear();
    }
    failed.forEach(p -> p.future.completeExceptionally(e));
  }

  private record Pending(InferRequest request, CompletableFuture<InferResult> future) {}
}
