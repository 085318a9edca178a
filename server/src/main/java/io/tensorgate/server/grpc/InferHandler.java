package io.tensorgate.server.grpc;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.codec.DecodedSize;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.codec.ResponseEncoder;
import io.tensorgate.server.codec.RoutingKey;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.route.RouteDecision;
import io.tensorgate.server.route.VersionRouter;
import java.util.List;
import java.util.Objects;

/**
 * The inference path shared by ModelInfer and ModelStreamInfer: route to a version, decode and
 * validate, publish to the version's scheduler without blocking. The thread that finishes the
 * request (an instance worker) hands the answer back to the call's transport thread ({@link
 * InferCall}), so that encoding, the response and the observers never hold up a model instance. No
 * thread is held per request.
 */
final class InferHandler {
  /** A version retired between routing and acquire is routed again, at most this often. */
  private static final int MAX_ROUTE_ATTEMPTS = 8;

  private final VersionRouter router;
  private final RequestDecoder decoder;
  private final InflightBudget budget;
  private final EventLoops loops;
  private final InferCall.Finisher finisher;

  InferHandler(
      VersionRouter router,
      RequestDecoder decoder,
      ResponseEncoder encoder,
      InflightBudget budget,
      List<RequestObserver> observers,
      EventLoops loops) {
    this.router = Objects.requireNonNull(router, "router");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.loops = Objects.requireNonNull(loops, "loops");
    this.finisher = new InferCall.Finisher(encoder, budget, observers);
  }

  /**
   * Handles one request; the responder is called exactly once, possibly before this returns. Takes
   * over the memory the request holds ({@link RequestMemory#claim}).
   *
   * @param deadlineNanos the caller's deadline on the nanoTime clock, or {@link
   *     InferenceRequest#NO_DEADLINE}
   */
  void infer(ModelInferRequest req, Responder responder, long deadlineNanos) {
    RequestMemory memory = RequestMemory.claim();
    long arrival = System.nanoTime();
    RouteDecision route;
    try {
      route = acquire(req);
    } catch (InferenceException e) {
      if (memory != null) {
        memory.release();
      }
      responder.fail(e.error());
      return;
    }
    LoadedVersion version = route.version();
    InferCall call =
        new InferCall(finisher, route, req, responder, arrival, memory, loops.current());
    long size = DecodedSize.estimate(req);
    InferenceError overBudget = budget.tryReserve(version.name(), size);
    if (overBudget != null) {
      call.onFailure(null, overBudget);
      return;
    }
    call.reserved(size);
    InferenceRequest.Builder request = InferenceRequest.builder();
    try {
      call.decoded(decoder.decode(req, version.io(), request));
      version.checkInputs(call.decoded().inputs());
    } catch (InferenceException e) {
      call.onFailure(null, e.error());
      return;
    }
    InferenceRequest built =
        request
            .deadlineNanos(deadlineNanos)
            .arrivalNanos(arrival)
            .cancellation(responder::isCancelled)
            .listener(call)
            .build();
    InferenceError refused = version.scheduler().submit(built);
    if (refused != null) {
      call.onFailure(built, refused);
    }
  }

  private RouteDecision acquire(ModelInferRequest req) throws InferenceException {
    String key = RoutingKey.of(req, RequestHeaders.ROUTING_KEY.get());
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
}
