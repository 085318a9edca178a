package io.tensorgate.server.grpc;

import io.grpc.Context;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.batching.ResponseListener;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.codec.DecodedSize;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.codec.ResponseEncoder;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.route.RouteDecision;
import io.tensorgate.server.route.VersionRouter;
import io.tensorgate.server.stats.ModelStats.FailureReason;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference path shared by ModelInfer and ModelStreamInfer: route to a version, decode and
 * validate, publish to the version's scheduler without blocking, and answer from the thread that
 * finishes the request. No thread is held per request.
 */
final class InferHandler {
  private static final Logger log = LoggerFactory.getLogger(InferHandler.class);

  /** A version retired between routing and acquire is routed again, at most this often. */
  private static final int MAX_ROUTE_ATTEMPTS = 8;

  static final String ROUTING_KEY_PARAMETER = "tensorgate-routing-key";

  private final VersionRouter router;
  private final RequestDecoder decoder;
  private final ResponseEncoder encoder;
  private final InflightBudget budget;
  // An array, not a List: iterated on every request without an iterator allocation.
  private final RequestObserver[] observers;

  InferHandler(
      VersionRouter router,
      RequestDecoder decoder,
      ResponseEncoder encoder,
      InflightBudget budget,
      List<RequestObserver> observers) {
    this.router = Objects.requireNonNull(router, "router");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.observers = observers.toArray(new RequestObserver[0]);
  }

  /**
   * Handles one request; the responder is called exactly once, possibly before this returns.
   *
   * @param deadlineNanos the caller's deadline on the nanoTime clock, or {@link
   *     InferenceRequest#NO_DEADLINE}
   */
  void infer(ModelInferRequest req, Responder responder, long deadlineNanos) {
    long arrival = System.nanoTime();
    RouteDecision route;
    try {
      route = acquire(req);
    } catch (InferenceException e) {
      responder.fail(e.error());
      return;
    }
    LoadedVersion version = route.version();
    Call call = new Call(route, req, responder, arrival);
    long size = DecodedSize.estimate(req);
    InferenceError overBudget = budget.tryReserve(version.name(), size);
    if (overBudget != null) {
      call.onFailure(null, overBudget);
      return;
    }
    call.reserved = size;
    try {
      call.decoded = decoder.decode(req, version.io());
      version.checkInputs(call.decoded.inputs());
    } catch (InferenceException e) {
      call.onFailure(null, e.error());
      return;
    }
    DecodedRequest decoded = call.decoded;
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

  private RouteDecision acquire(ModelInferRequest req) throws InferenceException {
    String key = routingKey(req);
    for (int i = 0; i < MAX_ROUTE_ATTEMPTS; i++) {
      RouteDecision d = router.route(req.getModelName(), req.getModelVersion(), key);
      if (d.version().tryAcquire()) {
        return d;
      }
    }
    throw new InferenceException(
        ErrorCode.UNAVAILABLE,
        "model '" + req.getModelName() + "' is being reloaded; retry the request");
  }

  /** The routing key: the request parameter wins over the {@code tensorgate-routing-key} header. */
  private static String routingKey(ModelInferRequest req) {
    if (req.getParametersCount() > 0) {
      InferParameter p = req.getParametersMap().get(ROUTING_KEY_PARAMETER);
      if (p != null && p.hasStringParam()) {
        return p.getStringParam();
      }
    }
    return RequestHeaders.ROUTING_KEY.get();
  }

  /** One request in flight: answers the client and records statistics when it finishes. */
  private final class Call implements ResponseListener {
    private final RouteDecision route;
    private final ModelInferRequest wire;
    private final Responder responder;
    private final long arrival;
    private final Context context;
    DecodedRequest decoded;
    // Bytes held in the in-flight budget until the request is answered.
    long reserved;

    Call(RouteDecision route, ModelInferRequest wire, Responder responder, long arrival) {
      this.route = route;
      this.wire = wire;
      this.responder = responder;
      this.arrival = arrival;
      this.context = observers.length == 0 ? null : Context.current();
    }

    @Override
    public void onSuccess(InferenceRequest request, List<Tensor> outputs) {
      ModelInferResponse response;
      try {
        response =
            encoder.encode(decoded, route.version().io(), route.version().versionString(), outputs);
      } catch (InferenceException e) {
        onFailure(request, e.error());
        return;
      } catch (Throwable e) {
        // Errors included: the client is answered whatever broke, and the worker goes on.
        log.error("encoding the response of model '{}' failed", route.version().name(), e);
        onFailure(
            request,
            new InferenceError(
                ErrorCode.INTERNAL,
                "failed to encode the response of model '"
                    + route.version().name()
                    + "'; see the server log"));
        return;
      }
      responder.respond(response);
      finish(request, null, outputs);
    }

    @Override
    public void onFailure(InferenceRequest request, InferenceError error) {
      responder.fail(error);
      finish(request, error, null);
    }

    /** Records the outcome, tells the observers, and releases the version. */
    void finish(InferenceRequest request, InferenceError error, List<Tensor> outputs) {
      LoadedVersion version = route.version();
      long end = System.nanoTime();
      try {
        if (error == null) {
          version
              .stats()
              .recordSuccess(
                  request.batchSize(),
                  end - arrival,
                  request.dispatchNanos() - arrival,
                  request.executionTimestamps());
        } else {
          version.stats().recordFailure(reason(error.code()), end - arrival);
        }
        if (observers.length > 0) {
          notifyObservers(request, error, outputs, end);
        }
      } finally {
        budget.release(reserved);
        version.release();
      }
    }

    private void notifyObservers(
        InferenceRequest request, InferenceError error, List<Tensor> outputs, long end) {
      CompletedRequest done =
          new CompletedRequest(
              route.version(),
              route.reason(),
              wire,
              decoded,
              outputs,
              error,
              arrival,
              request == null ? 0 : request.dispatchNanos(),
              request == null ? null : request.executionTimestamps(),
              request == null ? 0 : request.executedBatchSize(),
              end,
              context);
      for (RequestObserver o : observers) {
        try {
          o.onComplete(done);
        } catch (RuntimeException e) {
          log.warn("request observer {} failed", o.getClass().getName(), e);
        }
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
