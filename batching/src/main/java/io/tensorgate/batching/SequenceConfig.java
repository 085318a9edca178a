package io.tensorgate.batching;

import io.tensorgate.backend.DataType;
import java.util.List;
import java.util.Objects;

/**
 * Triton's {@code sequence_batching} settings for a stateful model.
 *
 * @param maxSequenceIdleMicros a sequence with no request for this long is ended and its slot freed
 *     (Triton's default when the config says 0: 1 000 000)
 * @param strategy how sequences share batches
 * @param maxCandidateSequences for {@link Strategy#OLDEST}: sequences batched together
 * @param maxQueueDelayMicros how long a batch may wait for more sequences to fill it
 * @param controls the control inputs the scheduler sets on every request of a sequence
 * @param states implicit state the scheduler carries from one request of a sequence to the next
 */
public record SequenceConfig(
    long maxSequenceIdleMicros,
    Strategy strategy,
    int maxCandidateSequences,
    long maxQueueDelayMicros,
    List<Control> controls,
    List<State> states) {
  public SequenceConfig {
    Objects.requireNonNull(strategy, "strategy");
    controls = List.copyOf(Objects.requireNonNull(controls, "controls"));
    states = List.copyOf(Objects.requireNonNull(states, "states"));
  }

  /** How requests of different sequences share batches. */
  public enum Strategy {
    /** Each sequence is bound to one batch slot of one instance for its lifetime. */
    DIRECT,
    /** Batches are formed from the oldest requests of up to {@code maxCandidateSequences}. */
    OLDEST
  }

  /** The kinds of control input. */
  public enum ControlKind {
    /** 1 on the first request of a sequence. */
    START,
    /** 1 when the batch slot holds a request (0 for an empty slot). */
    READY,
    /** 1 on the last request of a sequence. */
    END,
    /** The correlation id. */
    CORRID
  }

  /**
   * One control input tensor, shaped {@code [1]} per batch row.
   *
   * @param name the model input the scheduler fills
   * @param kind which control
   * @param dataType its element type
   * @param falseValue the value meaning false (for START/READY/END)
   * @param trueValue the value meaning true (for START/READY/END)
   */
  public record Control(
      String name, ControlKind kind, DataType dataType, double falseValue, double trueValue) {
    public Control {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(dataType, "dataType");
    }
  }

  /**
   * Triton's implicit state: the model reads {@code inputName} and writes {@code outputName}; the
   * scheduler feeds each request of a sequence the state its previous request produced (zeros, or
   * the initial state, on the first request).
   *
   * @param inputName the model input that receives the state
   * @param outputName the model output that produces the next state
   * @param dataType the state's element type
   * @param dims the state's shape, without the batch dimension
   */
  public record State(String inputName, String outputName, DataType dataType, long[] dims) {
    public State {
      Objects.requireNonNull(inputName, "inputName");
      Objects.requireNonNull(outputName, "outputName");
      Objects.requireNonNull(dataType, "dataType");
      dims = Objects.requireNonNull(dims, "dims").clone();
    }
  }
}
