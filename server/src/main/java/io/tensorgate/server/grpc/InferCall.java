package io.tensorgate.server.grpc;

import io.grpc.Context;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.batching.ResponseListener;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.codec.ResponseEncoder;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.route.RouteDecision;
import io.tensorgate.server.stats.ModelStats.FailureReason;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inference request in flight, from decoding to its answer: the scheduler's listener, the view
 * observers get ({@link CompletedRequest}, so that telling them allocates nothing), and the task
 * that answers it on the call's transport thread.
 *
 * <p>Finishing: the scheduler's thread (an instance worker) only records the outcome and hands this
 * to the call's event loop, so the instance takes its next batch at once; there the response is
 * encoded and sent, statistics and observers are told, and the version, the in-flight budget and
 * the request's network memory are released. Outcomes decided on the transport thread itself
 * (routing, validation, admission) finish there directly.
 *
 * <p>Threading: fields are written by the transport thread before submission and by the scheduler
 * thread before the hand-off; both publish them (the scheduler's queue, the loop's task queue).
 */
final class InferCall implements ResponseListener, CompletedRequest, Runnable {
  private static final Logger log = LoggerFactory.getLogger(InferCall.class);

  private final Finisher finisher;
  private final RouteDecision route;
  private final ModelInferRequest wire;
  private final Responder responder;
  private final long arrival;
  private final RequestMemory memory;
  private final Executor loop;
  private final Thread transportThread;
  private final Context context;
  private DecodedRequest decoded;
  // Bytes held in the in-flight budget until the request is answered.
  private long reserved;
  private InferenceRequest request;
  private List<Tensor> outputs;
  private InferenceError error;
  private long end;

  /**
   * @param memory the network buffers the request aliases, or null
   * @param loop the call's event loop, or null to finish on whichever thread finishes the request
   */
  InferCall(
      Finisher finisher,
      RouteDecision route,
      ModelInferRequest wire,
      Responder responder,
      long arrival,
      RequestMemory memory,
      Executor loop) {
    this.finisher = finisher;
    this.route = route;
    this.wire = wire;
    this.responder = responder;
    this.arrival = arrival;
    this.memory = memory;
    this.loop = loop;
    this.transportThread = Thread.currentThread();
    this.context = finisher.observers.length == 0 ? null : Context.current();
  }

  void reserved(long bytes) {
    this.reserved = bytes;
  }

  void decoded(DecodedRequest d) {
    this.decoded = d;
  }

  @Override
  public void onSuccess(InferenceRequest request, List<Tensor> outputs) {
    this.request = request;
    this.outputs = outputs;
    handBack();
  }

  @Override
  public void onFailure(InferenceRequest request, InferenceError error) {
    this.request = request;
    this.error = error;
    handBack();
  }

  /** Finishes here on the transport thread, else on the call's event loop when it has one. */
  private void handBack() {
    if (loop == null || Thread.currentThread() == transportThread) {
      run();
      return;
    }
    try {
      loop.execute(this);
    } catch (RejectedExecutionException shuttingDown) {
      run();
    }
  }

  /**
   * Records the outcome, answers the client, then tells the observers and releases; on the thread
   * {@link #handBack} chose. The statistics come first: a client that asks for them right after its
   * answer finds it counted.
   */
  @Override
  public void run() {
    ModelInferResponse response = error == null ? finisher.encode(this) : null;
    end = System.nanoTime();
    try {
      try {
        finisher.record(this);
      } finally {
        if (error == null) {
          responder.respond(response);
        } else {
          responder.fail(error);
        }
      }
    } finally {
      finisher.finish(this);
    }
  }

  @Override
  public LoadedVersion version() {
    return route.version();
  }

  @Override
  public String routeReason() {
    return route.reason();
  }

  @Override
  public ModelInferRequest wire() {
    return wire;
  }

  @Override
  public DecodedRequest decoded() {
    return decoded;
  }

  @Override
  public List<Tensor> outputs() {
    return error == null ? outputs : null;
  }

  @Override
  public InferenceError error() {
    return error;
  }

  @Override
  public long arrivalNanos() {
    return arrival;
  }

  @Override
  public long dispatchNanos() {
    return request == null ? 0 : request.dispatchNanos();
  }

  @Override
  public ExecutionTimestamps execution() {
    return request == null ? null : request.executionTimestamps();
  }

  @Override
  public int batchSize() {
    return request == null ? 0 : request.executedBatchSize();
  }

  @Override
  public long endNanos() {
    return end;
  }

  @Override
  public Context grpcContext() {
    return context;
  }

  /** What every call of one handler shares to finish: encoder, budget and observers. */
  static final class Finisher {
    private final ResponseEncoder encoder;
    private final InflightBudget budget;
    // An array, not a List: iterated on every request without an iterator allocation.
    private final RequestObserver[] observers;

    Finisher(ResponseEncoder encoder, InflightBudget budget, List<RequestObserver> observers) {
      this.encoder = Objects.requireNonNull(encoder, "encoder");
      this.budget = Objects.requireNonNull(budget, "budget");
      this.observers = observers.toArray(new RequestObserver[0]);
    }

    /** The response, or null after turning an encoding failure into the call's error. */
    ModelInferResponse encode(InferCall c) {
      LoadedVersion version = c.route.version();
      try {
        return encoder.encode(c.decoded, version.io(), version.versionString(), c.outputs);
      } catch (InferenceException e) {
        c.error = e.error();
      } catch (Throwable e) {
        // Errors included: the client is answered whatever broke.
        log.error("encoding the response of model '{}' failed", version.name(), e);
        c.error =
            new InferenceError(
                ErrorCode.INTERNAL,
                "failed to encode the response of model '"
                    + version.name()
                    + "'; see the server log");
      }
      return null;
    }

    /** Records the outcome in the version's statistics. */
    void record(InferCall c) {
      LoadedVersion version = c.route.version();
      InferenceRequest request = c.request;
      if (c.error == null) {
        version
            .stats()
            .recordSuccess(
                request.batchSize(),
                c.end - c.arrival,
                request.dispatchNanos() - c.arrival,
                request.executionTimestamps());
      } else {
        version.stats().recordFailure(reason(c.error.code()), c.end - c.arrival);
      }
    }

    /** Tells the observers, and releases what the request held. */
    void finish(InferCall c) {
      LoadedVersion version = c.route.version();
      InferenceRequest request = c.request;
      try {
        for (RequestObserver o : observers) {
          try {
            o.onComplete(c);
          } catch (RuntimeException e) {
            log.warn("request observer {} failed", o.getClass().getName(), e);
          }
        }
      } finally {
        budget.release(c.reserved);
        version.release();
        if (c.memory != null && (request == null || !request.inputsStillRead())) {
          // A request whose hung execution may still read its inputs keeps them: released
          // network memory would be reused under the model's feet.
          c.memory.release();
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
}
