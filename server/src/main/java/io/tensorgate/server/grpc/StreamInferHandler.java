package io.tensorgate.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import java.util.Objects;

/**
 * ModelStreamInfer: every request on the stream gets exactly one response message, in completion
 * order. Errors go into {@code error_message}, with the request's id in {@code infer_response.id}
 * as Triton sends it (the only way a client can tell which request failed); a client that sent the
 * header {@code triton_grpc_error: true} instead gets the first error as the stream's status, which
 * ends the stream (Triton's behaviour). The server completes the stream after the client
 * half-closed and every request was answered.
 */
final class StreamInferHandler {
  private final InferHandler infer;

  StreamInferHandler(InferHandler infer) {
    this.infer = Objects.requireNonNull(infer, "infer");
  }

  StreamObserver<ModelInferRequest> open(
      StreamObserver<ModelStreamInferResponse> responses, boolean strictErrors) {
    return new Stream((ServerCallStreamObserver<ModelStreamInferResponse>) responses, strictErrors);
  }

  private final class Stream implements StreamObserver<ModelInferRequest>, Responder {
    private final ServerCallStreamObserver<ModelStreamInferResponse> out;
    private final boolean strictErrors;

    // Guarded by this: gRPC observers are not thread-safe and answers come from worker threads.
    private int outstanding;
    private boolean halfClosed;
    private boolean closed;

    Stream(ServerCallStreamObserver<ModelStreamInferResponse> out, boolean strictErrors) {
      this.out = out;
      this.strictErrors = strictErrors;
    }

    @Override
    public void onNext(ModelInferRequest request) {
      synchronized (this) {
        if (closed) {
          return;
        }
        outstanding++;
      }
      // Outside the lock: validation errors answer synchronously, results from worker threads.
      String id = request.getId();
      infer.infer(
          request, id.isEmpty() ? this : new Identified(this, id), InferenceRequest.NO_DEADLINE);
    }

    @Override
    public void respond(ModelInferResponse response) {
      send(ModelStreamInferResponse.newBuilder().setInferResponse(response).build());
    }

    @Override
    public void fail(InferenceError error) {
      fail(error, "");
    }

    void fail(InferenceError error, String id) {
      if (strictErrors) {
        synchronized (this) {
          if (closed) {
            return;
          }
          closed = true;
          outstanding--;
          try {
            out.onError(Statuses.toException(error));
          } catch (RuntimeException alreadyCancelled) {
            // The client went away first; nothing left to tell it.
          }
        }
        return;
      }
      ModelStreamInferResponse.Builder m =
          ModelStreamInferResponse.newBuilder()
              .setErrorMessage(ErrorMessages.sanitize(error.message()));
      if (!id.isEmpty()) {
        m.getInferResponseBuilder().setId(id);
      }
      send(m.build());
    }

    private synchronized void send(ModelStreamInferResponse message) {
      if (closed) {
        return;
      }
      outstanding--;
      try {
        out.onNext(message);
        if (halfClosed && outstanding == 0) {
          closed = true;
          out.onCompleted();
        }
      } catch (RuntimeException alreadyCancelled) {
        closed = true;
      }
    }

    @Override
    public boolean isCancelled() {
      return out.isCancelled();
    }

    @Override
    public synchronized void onError(Throwable t) {
      closed = true;
    }

    @Override
    public synchronized void onCompleted() {
      halfClosed = true;
      if (outstanding == 0 && !closed) {
        closed = true;
        out.onCompleted();
      }
    }
  }

  /** One request of a stream that has an id: its errors name it. */
  private static final class Identified implements Responder {
    private final Stream stream;
    private final String id;

    Identified(Stream stream, String id) {
      this.stream = stream;
      this.id = id;
    }

    @Override
    public void respond(ModelInferResponse response) {
      stream.respond(response);
    }

    @Override
    public void fail(InferenceError error) {
      stream.fail(error, id);
    }

    @Override
    public boolean isCancelled() {
      return stream.isCancelled();
    }
  }
}
