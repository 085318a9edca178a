package io.tensorgate.server.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.Tensor;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.observe.TensorValues;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Turns sampled answered requests into OpenTelemetry spans after the fact, from the timestamps the
 * request already carries, so tracing adds nothing to the scheduler: a server span {@code
 * ModelInfer} (child of the caller's {@code traceparent} when sent) with children {@code queue},
 * {@code execute} (attribute {@code tensorgate.batch_size}) and {@code response}.
 *
 * <p>Runs on the answering thread. Untraced requests cost one settings read and one counter
 * increment; the SDK's span processor exports off-thread.
 */
final class TraceObserver implements RequestObserver {
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("tensorgate.model");
  static final AttributeKey<String> VERSION = AttributeKey.stringKey("tensorgate.model_version");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("tensorgate.request_id");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("tensorgate.route");
  static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("tensorgate.batch_size");
  static final AttributeKey<Long> REQUEST_BATCH =
      AttributeKey.longKey("tensorgate.request_batch_size");

  /** Tensor values shown per tensor at level TENSORS. */
  static final int TENSOR_ELEMENTS = 16;

  private static final TextMapGetter<TraceHeaders.Carrier> GETTER =
      new TextMapGetter<>() {
        @Override
        public String get(TraceHeaders.Carrier c, String key) {
          if (c == null) {
            return null;
          }
          return key.equals("traceparent")
              ? c.traceparent()
              : key.equals("tracestate") ? c.tracestate() : null;
        }
      };

  private final Tracer tracer;
  private final TraceSettings settings;
  // Maps System.nanoTime() readings (what requests carry) onto the epoch clock spans need.
  private final long epochNanosAtAnchor;
  private final long nanoTimeAtAnchor;

  TraceObserver(Tracer tracer, TraceSettings settings) {
    this.tracer = Objects.requireNonNull(tracer, "tracer");
    this.settings = Objects.requireNonNull(settings, "settings");
    java.time.Instant now = java.time.Instant.now();
    this.nanoTimeAtAnchor = System.nanoTime();
    this.epochNanosAtAnchor = now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public void onComplete(CompletedRequest r) {
    TraceSettings.Level level = settings.sample(r.version().name());
    if (level == TraceSettings.Level.OFF) {
      return;
    }
    Context parent = Context.root();
    TraceHeaders.Carrier carrier =
        r.grpcContext() == null ? null : TraceHeaders.CARRIER.get(r.grpcContext());
    if (carrier != null) {
      parent = W3CTraceContextPropagator.getInstance().extract(parent, carrier, GETTER);
    }
    Span root =
        tracer
            .spanBuilder("ModelInfer")
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setStartTimestamp(epoch(r.arrivalNanos()), TimeUnit.NANOSECONDS)
            .setAttribute(MODEL, r.version().name())
            .setAttribute(VERSION, r.version().versionString())
            .setAttribute(ROUTE, r.routeReason())
            .startSpan();
    if (r.decoded() != null) {
      root.setAttribute(REQUEST_ID, r.decoded().id());
      root.setAttribute(REQUEST_BATCH, (long) r.decoded().batchSize());
    }
    Context inRoot = parent.with(root);
    long responseStart = r.arrivalNanos();
    if (r.dispatchNanos() != 0) {
      child(inRoot, "queue", r.arrivalNanos()).end(epoch(r.dispatchNanos()), TimeUnit.NANOSECONDS);
      responseStart = r.dispatchNanos();
    }
    ExecutionTimestamps e = r.execution();
    if (e != null) {
      Span exec = child(inRoot, "execute", e.execStart());
      exec.setAttribute(BATCH_SIZE, (long) r.batchSize());
      exec.addEvent("compute_start", epoch(e.computeStart()), TimeUnit.NANOSECONDS);
      exec.addEvent("compute_end", epoch(e.computeEnd()), TimeUnit.NANOSECONDS);
      exec.end(epoch(e.execEnd()), TimeUnit.NANOSECONDS);
      responseStart = e.execEnd();
    }
    child(inRoot, "response", responseStart).end(epoch(r.endNanos()), TimeUnit.NANOSECONDS);
    if (level == TraceSettings.Level.TENSORS) {
      tensors(root, "input", r.decoded() == null ? null : r.decoded().inputs());
      tensors(root, "output", r.outputs());
    }
    if (r.error() != null) {
      root.setStatus(StatusCode.ERROR, r.error().code() + ": " + r.error().message());
    }
    root.end(epoch(r.endNanos()), TimeUnit.NANOSECONDS);
  }

  private Span child(Context parent, String name, long start) {
    return tracer
        .spanBuilder(name)
        .setParent(parent)
        .setStartTimestamp(epoch(start), TimeUnit.NANOSECONDS)
        .startSpan();
  }

  private static void tensors(Span span, String kind, List<Tensor> tensors) {
    if (tensors == null) {
      return;
    }
    for (Tensor t : tensors) {
      String prefix = "tensorgate." + kind + "." + t.name() + ".";
      span.setAttribute(prefix + "datatype", t.dataType().name());
      span.setAttribute(prefix + "shape", java.util.Arrays.toString(t.shape()));
      span.setAttribute(prefix + "data", TensorValues.text(t, TENSOR_ELEMENTS));
    }
  }

  private long epoch(long nanoTime) {
    return epochNanosAtAnchor + (nanoTime - nanoTimeAtAnchor);
  }
}
