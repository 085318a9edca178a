package io.tensorgate.batching;

import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * One validated inference request, as the server hands it to a {@link Scheduler}.
 *
 * <p>The server builds it after decoding and validating a gRPC request; the scheduler reads it, and
 * records when it left the queue and which execution served it. The input buffers must stay valid
 * until the listener is called.
 */
public final class InferenceRequest {
  /** No deadline. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  private final String id;
  private final List<Tensor> inputs;
  private final List<String> requestedOutputs;
  private final int batchSize;
  private final int priorityLevel;
  private final long timeoutMicros;
  private final long deadlineNanos;
  private final long arrivalNanos;
  private final SequenceControl sequence;
  private final boolean mirrored;
  private final CancellationSignal cancellation;
  private final ResponseListener listener;

  // Written by the scheduler before the listener is called; the listener call happens-after.
  private long dispatchNanos;
  private ExecutionTimestamps executionTimestamps;
  private int executedBatchSize;

  private InferenceRequest(Builder b) {
    this.id = b.id;
    this.inputs = List.copyOf(Objects.requireNonNull(b.inputs, "inputs"));
    this.requestedOutputs =
        List.copyOf(Objects.requireNonNull(b.requestedOutputs, "requestedOutputs"));
    if (b.batchSize < 1) {
      throw new IllegalArgumentException("batchSize " + b.batchSize + " < 1");
    }
    this.batchSize = b.batchSize;
    this.priorityLevel = b.priorityLevel;
    this.timeoutMicros = b.timeoutMicros;
    this.deadlineNanos = b.deadlineNanos;
    this.arrivalNanos = b.arrivalNanos;
    this.sequence = b.sequence;
    this.mirrored = b.mirrored;
    this.cancellation = Objects.requireNonNull(b.cancellation, "cancellation");
    this.listener = Objects.requireNonNull(b.listener, "listener");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The client's request id (echoed in the response); may be empty. */
  public String id() {
    return id;
  }

  /**
   * The inputs, in the model's input order (optional inputs the client left out are absent), each
   * with the request's full shape: leading batch dimension included when the model batches.
   */
  public List<Tensor> inputs() {
    return inputs;
  }

  /** The outputs to return, in the model's output order; never empty. */
  public List<String> requestedOutputs() {
    return requestedOutputs;
  }

  /** The request's leading dimension when the model batches, else 1. */
  public int batchSize() {
    return batchSize;
  }

  /** Triton's {@code priority} parameter: 0 for the default level, 1 is the highest. */
  public int priorityLevel() {
    return priorityLevel;
  }

  /** The request's {@code timeout} parameter in microseconds; 0 when it set none. */
  public long timeoutMicros() {
    return timeoutMicros;
  }

  /** The caller's deadline on the {@link System#nanoTime()} clock, or {@link #NO_DEADLINE}. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** When the server received the request, on the {@link System#nanoTime()} clock. */
  public long arrivalNanos() {
    return arrivalNanos;
  }

  /** The sequence this request belongs to, or {@code null} outside sequence batching. */
  public SequenceControl sequence() {
    return sequence;
  }

  /**
   * Whether this is a copy of a request that another version already answered (shadow traffic): it
   * never shares a batch with other requests, and its executions are not reported to the {@link
   * BatchListener}, so a version's statistics count its own traffic only.
   */
  public boolean mirrored() {
    return mirrored;
  }

  public CancellationSignal cancellation() {
    return cancellation;
  }

  public ResponseListener listener() {
    return listener;
  }

  /** When the request left the queue for an instance; 0 if it never did. */
  public long dispatchNanos() {
    return dispatchNanos;
  }

  /** The timestamps of the execution that served this request; {@code null} if none did. */
  public ExecutionTimestamps executionTimestamps() {
    return executionTimestamps;
  }

  /**
   * Called by the scheduler when it hands the request to an instance. {@code nanos} is read once
   * per batch, possibly before this request's producer stamped its arrival; it is clamped so that
   * queue time is never negative.
   */
  public void markDispatched(long nanos) {
    this.dispatchNanos = Math.max(nanos, arrivalNanos);
  }

  /** The size of the batch this request executed in; 0 if it never executed. */
  public int executedBatchSize() {
    return executedBatchSize;
  }

  /** Called by the scheduler after the request's batch executed. */
  public void markExecuted(ExecutionTimestamps timestamps) {
    this.executionTimestamps = timestamps;
  }

  /** Called by the scheduler after the request's batch of {@code batchSize} executed. */
  public void markExecuted(ExecutionTimestamps timestamps, int batchSize) {
    this.executionTimestamps = timestamps;
    this.executedBatchSize = batchSize;
  }

  /**
   * Sequence-batching controls from the request parameters {@code sequence_id}, {@code
   * sequence_start} and {@code sequence_end}. A correlation id is either numeric or a string.
   */
  public record SequenceControl(long numericId, String stringId, boolean start, boolean end) {
    public SequenceControl {
      if (stringId == null && numericId == 0) {
        throw new IllegalArgumentException("a sequence needs a non-zero correlation id");
      }
    }

    /** The correlation id as an object usable as a map key. */
    public Object correlationId() {
      return stringId != null ? stringId : numericId;
    }
  }

  /** Builds a request. Not thread-safe; one builder per request. */
  public static final class Builder {
    private String id = "";
    private List<Tensor> inputs;
    private List<String> requestedOutputs;
    private int batchSize = 1;
    private int priorityLevel;
    private long timeoutMicros;
    private long deadlineNanos = NO_DEADLINE;
    private long arrivalNanos = System.nanoTime();
    private SequenceControl sequence;
    private boolean mirrored;
    private CancellationSignal cancellation = CancellationSignal.NEVER;
    private ResponseListener listener;

    private Builder() {}

    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    public Builder inputs(List<Tensor> inputs) {
      this.inputs = inputs;
      return this;
    }

    public Builder requestedOutputs(List<String> requestedOutputs) {
      this.requestedOutputs = requestedOutputs;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder priorityLevel(int priorityLevel) {
      this.priorityLevel = priorityLevel;
      return this;
    }

    public Builder timeoutMicros(long timeoutMicros) {
      this.timeoutMicros = timeoutMicros;
      return this;
    }

    public Builder deadlineNanos(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
      return this;
    }

    public Builder arrivalNanos(long arrivalNanos) {
      this.arrivalNanos = arrivalNanos;
      return this;
    }

    public Builder sequence(SequenceControl sequence) {
      this.sequence = sequence;
      return this;
    }

    /** Marks a mirrored request; see {@link InferenceRequest#mirrored()}. */
    public Builder mirrored(boolean mirrored) {
      this.mirrored = mirrored;
      return this;
    }

    public Builder cancellation(CancellationSignal cancellation) {
      this.cancellation = cancellation;
      return this;
    }

    public Builder listener(ResponseListener listener) {
      this.listener = listener;
      return this;
    }

    public InferenceRequest build() {
      return new InferenceRequest(this);
    }
  }
}
