package io.tensorgate.server.grpc;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.batching.ResponseListener;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.codec.ResponseEncoder;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.stats.ModelStats.FailureReason;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference path shared by ModelInfer and ModelStreamInfer: resolve the version, decode and
 * validate, publish to the version's scheduler without blocking, and answer from the thread that
 * finishes the request. No thread is held per request.
 */
final class InferHandler {
  private static final Logger log = LoggerFactory.getLogger(InferHandler.class);

  /** A version retired between lookup and acquire is looked up again, at most this often. */
  private static final int MAX_RESOLVE_ATTEMPTS = 8;

  private final ModelRegistry registry;
  private final RequestDecoder decoder;
  private final ResponseEncoder encoder;

  InferHandler(ModelRegistry registry, RequestDecoder decoder, ResponseEncoder encoder) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
  }

  /**
   * Handles one request; the responder is called exactly once, possibly before this returns.
   *
   * @param deadlineNanos the caller's deadline on the nanoTime clock, or {@link
   *     InferenceRequest#NO_DEADLINE}
   */
  void infer(ModelInferRequest req, Responder responder, long deadlineNanos) {
    long arrival = System.nanoTime();
    LoadedVersion version;
    try {
      version = acquire(req.getModelName(), req.getModelVersion());
    } catch (InferenceException e) {
      responder.fail(e.error());
      return;
    }
    DecodedRequest decoded;
    try {
      decoded = decoder.decode(req, version.io());
      version.checkInputs(decoded.inputs());
    } catch (InferenceException e) {
      version.stats().recordFailure(FailureReason.OTHER, System.nanoTime() - arrival);
      version.release();
      responder.fail(e.error());
      return;
    }
    Call call = new Call(version, decoded, responder, arrival);
    InferenceRequest request =
        InferenceRequest.builder()
            .id(decoded.id())
            .inputs(decoded.inputs())
            .requestedOutputs(decoded.requestedOutputs())
            .batchSize(decoded.batchSize())
            .priorityLevel(decoded.priority())
            .timeoutMicros(decoded.timeoutMicros())
            .deadlineNanos(deadlineNanos)
            .arrivalNanos(arrival)
            .sequence(decoded.sequence())
            .cancellation(responder::isCancelled)
            .listener(call)
            .build();
    InferenceError refused = version.scheduler().submit(request);
    if (refused != null) {
      call.onFailure(request, refused);
    }
  }

  private LoadedVersion acquire(String model, String version) throws InferenceException {
    for (int i = 0; i < MAX_RESOLVE_ATTEMPTS; i++) {
      LoadedVersion v = registry.resolve(model, version);
      if (v.tryAcquire()) {
        return v;
      }
    }
    throw new InferenceException(
        ErrorCode.UNAVAILABLE, "model '" + model + "' is being reloaded; retry the request");
  }

  /** One request in flight: answers the client and records statistics when it finishes. */
  private final class Call implements ResponseListener {
    private final LoadedVersion version;
    private final DecodedRequest decoded;
    private final Responder responder;
    private final long arrival;

    Call(LoadedVersion version, DecodedRequest decoded, Responder responder, long arrival) {
      this.version = version;
      this.decoded = decoded;
      this.responder = responder;
      this.arrival = arrival;
    }

    @Override
    public void onSuccess(InferenceRequest request, List<Tensor> outputs) {
      ModelInferResponse response;
      try {
        response = encoder.encode(decoded, version.io(), version.versionString(), outputs);
      } catch (InferenceException e) {
        onFailure(request, e.error());
        return;
      } catch (RuntimeException e) {
        log.error("encoding the response of model '{}' failed", version.name(), e);
        onFailure(
            request, new InferenceError(ErrorCode.INTERNAL, "failed to encode the response: " + e));
        return;
      }
      try {
        responder.respond(response);
      } finally {
        long now = System.nanoTime();
        version
            .stats()
            .recordSuccess(
                request.batchSize(),
                now - arrival,
                request.dispatchNanos() - arrival,
                request.executionTimestamps());
        version.release();
      }
    }

    @Override
    public void onFailure(InferenceRequest request, InferenceError error) {
      try {
        responder.fail(error);
      } finally {
        version.stats().recordFailure(reason(error.code()), System.nanoTime() - arrival);
        version.release();
      }
    }
  }

  private static FailureReason reason(ErrorCode code) {
    switch (code) {
      case UNAVAILABLE:
      case RESOURCE_EXHAUSTED:
        return FailureReason.REJECTED;
      case CANCELLED:
      case DEADLINE_EXCEEDED:
        return FailureReason.CANCELED;
      case INTERNAL:
        return FailureReason.BACKEND;
      default:
        return FailureReason.OTHER;
    }
  }
}
