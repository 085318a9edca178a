package io.tensorgate.server.repository;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.TensorSpec;
import io.tensorgate.batching.QueuePolicy;
import io.tensorgate.batching.SchedulerConfig;
import io.tensorgate.batching.SequenceConfig;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelDynamicBatching;
import io.tensorgate.proto.inference.ModelInput;
import io.tensorgate.proto.inference.ModelOutput;
import io.tensorgate.proto.inference.ModelParameter;
import io.tensorgate.proto.inference.ModelQueuePolicy;
import io.tensorgate.proto.inference.ModelSequenceBatching;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Translates a completed protobuf config into the plain-Java settings of lower modules. */
final class SchedulerConfigs {
  /** The {@code config.pbtxt} parameter that turns inline execution on (see README). */
  static final String INLINE_EXECUTION = "inline_execution";

  /** Ring capacity per priority level when the config sets no max_queue_size. */
  static final int DEFAULT_RING_SIZE = 4096;

  private SchedulerConfigs() {}

  static SchedulerConfig from(ModelConfig c, long version) {
    return from(c, version, 0);
  }

  /** With the execution watchdog's timeout ({@code 0}: off). */
  static SchedulerConfig from(ModelConfig c, long version, long executionTimeoutNanos) {
    return from(c, version, executionTimeoutNanos, 0);
  }

  /**
   * With the execution watchdog's timeout and the longest predicted queue wait admitted ({@code 0}:
   * off each; sequence models never refuse by predicted wait).
   */
  static SchedulerConfig from(
      ModelConfig c, long version, long executionTimeoutNanos, long maxQueueWaitNanos) {
    SchedulerConfig.Builder b =
        SchedulerConfig.builder(c.getName() + ":" + version)
            .executionTimeoutNanos(executionTimeoutNanos)
            .maxQueueWaitNanos(maxQueueWaitNanos)
            .maxBatchSize(c.getMaxBatchSize())
            .inlineExecution(inlineExecution(c))
            .inputs(inputSpecs(c));
    Set<String> ragged = new HashSet<>();
    for (ModelInput in : c.getInputList()) {
      if (in.getAllowRaggedBatch()) {
        ragged.add(in.getName());
      }
    }
    b.raggedInputs(ragged);
    int ring = DEFAULT_RING_SIZE;
    if (c.hasDynamicBatching()) {
      ModelDynamicBatching d = c.getDynamicBatching();
      b.dynamicBatching(c.getMaxBatchSize() > 0)
          .preferredBatchSizes(d.getPreferredBatchSizeList().stream().mapToInt(i -> i).toArray())
          .maxQueueDelayMicros(d.getMaxQueueDelayMicroseconds())
          .preserveOrdering(d.getPreserveOrdering())
          .priorityLevels((int) d.getPriorityLevels())
          .defaultPriorityLevel((int) d.getDefaultPriorityLevel());
      QueuePolicy def = queuePolicy(d.getDefaultQueuePolicy());
      b.defaultQueuePolicy(def);
      ring = Math.max(ring, def.maxQueueSize());
      Map<Integer, QueuePolicy> levels = new HashMap<>();
      for (var e : d.getPriorityQueuePolicyMap().entrySet()) {
        QueuePolicy p = queuePolicy(e.getValue());
        levels.put(e.getKey().intValue(), p);
        ring = Math.max(ring, p.maxQueueSize());
      }
      b.priorityQueuePolicies(levels);
    }
    if (c.hasSequenceBatching()) {
      b.sequence(sequence(c.getSequenceBatching()));
    }
    return b.ringSize(nextPowerOfTwo(ring)).build();
  }

  /**
   * The {@code inline_execution} parameter: "true" or "false", default false.
   *
   * @throws IllegalArgumentException for any other value
   */
  static boolean inlineExecution(ModelConfig c) {
    ModelParameter p = c.getParametersMap().get(INLINE_EXECUTION);
    if (p == null) {
      return false;
    }
    String v = p.getStringValue().trim();
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    String shown = v.length() > 32 ? v.substring(0, 32) + "..." : v;
    throw new IllegalArgumentException(
        INLINE_EXECUTION + " must be true or false, got '" + shown + "'");
  }

  static List<TensorSpec> inputSpecs(ModelConfig c) {
    List<TensorSpec> specs = new ArrayList<>();
    for (ModelInput in : c.getInputList()) {
      specs.add(
          new TensorSpec(
              in.getName(), DataTypes.fromConfig(in.getDataType()), dims(in.getDimsList())));
    }
    return specs;
  }

  static List<TensorSpec> outputSpecs(ModelConfig c) {
    List<TensorSpec> specs = new ArrayList<>();
    for (ModelOutput out : c.getOutputList()) {
      specs.add(
          new TensorSpec(
              out.getName(), DataTypes.fromConfig(out.getDataType()), dims(out.getDimsList())));
    }
    return specs;
  }

  /**
   * The inputs the backend sees: the configured ones plus sequence control and state inputs, which
   * the scheduler fills and clients never send.
   */
  static List<TensorSpec> backendInputSpecs(ModelConfig c) {
    List<TensorSpec> specs = inputSpecs(c);
    if (c.hasSequenceBatching()) {
      for (ModelSequenceBatching.ControlInput ci : c.getSequenceBatching().getControlInputList()) {
        specs.add(new TensorSpec(ci.getName(), controlType(ci.getControl(0)), new long[] {1}));
      }
      for (ModelSequenceBatching.State st : c.getSequenceBatching().getStateList()) {
        specs.add(
            new TensorSpec(
                st.getInputName(), DataTypes.fromConfig(st.getDataType()), dims(st.getDimsList())));
      }
    }
    return specs;
  }

  /** The outputs the backend produces: the configured ones plus sequence state outputs. */
  static List<TensorSpec> backendOutputSpecs(ModelConfig c) {
    List<TensorSpec> specs = outputSpecs(c);
    if (c.hasSequenceBatching()) {
      for (ModelSequenceBatching.State st : c.getSequenceBatching().getStateList()) {
        specs.add(
            new TensorSpec(
                st.getOutputName(),
                DataTypes.fromConfig(st.getDataType()),
                dims(st.getDimsList())));
      }
    }
    return specs;
  }

  private static QueuePolicy queuePolicy(ModelQueuePolicy p) {
    return new QueuePolicy(
        p.getTimeoutAction() == ModelQueuePolicy.TimeoutAction.DELAY
            ? QueuePolicy.TimeoutAction.DELAY
            : QueuePolicy.TimeoutAction.REJECT,
        p.getDefaultTimeoutMicroseconds(),
        p.getAllowTimeoutOverride(),
        p.getMaxQueueSize());
  }

  private static SequenceConfig sequence(ModelSequenceBatching s) {
    List<SequenceConfig.Control> controls = new ArrayList<>();
    for (ModelSequenceBatching.ControlInput ci : s.getControlInputList()) {
      ModelSequenceBatching.Control ctl = ci.getControl(0);
      double f = 0;
      double t = 1;
      if (ctl.getInt32FalseTrueCount() == 2) {
        f = ctl.getInt32FalseTrue(0);
        t = ctl.getInt32FalseTrue(1);
      } else if (ctl.getFp32FalseTrueCount() == 2) {
        f = ctl.getFp32FalseTrue(0);
        t = ctl.getFp32FalseTrue(1);
      } else if (ctl.getBoolFalseTrueCount() == 2) {
        f = ctl.getBoolFalseTrue(0) ? 1 : 0;
        t = ctl.getBoolFalseTrue(1) ? 1 : 0;
      }
      controls.add(
          new SequenceConfig.Control(ci.getName(), controlKind(ctl), controlType(ctl), f, t));
    }
    List<SequenceConfig.State> states = new ArrayList<>();
    for (ModelSequenceBatching.State st : s.getStateList()) {
      states.add(
          new SequenceConfig.State(
              st.getInputName(),
              st.getOutputName(),
              DataTypes.fromConfig(st.getDataType()),
              dims(st.getDimsList())));
    }
    boolean oldest = s.hasOldest();
    return new SequenceConfig(
        s.getMaxSequenceIdleMicroseconds(),
        oldest ? SequenceConfig.Strategy.OLDEST : SequenceConfig.Strategy.DIRECT,
        oldest ? s.getOldest().getMaxCandidateSequences() : 0,
        oldest
            ? s.getOldest().getMaxQueueDelayMicroseconds()
            : s.getDirect().getMaxQueueDelayMicroseconds(),
        controls,
        states);
  }

  private static SequenceConfig.ControlKind controlKind(ModelSequenceBatching.Control ctl) {
    switch (ctl.getKind()) {
      case CONTROL_SEQUENCE_START:
        return SequenceConfig.ControlKind.START;
      case CONTROL_SEQUENCE_READY:
        return SequenceConfig.ControlKind.READY;
      case CONTROL_SEQUENCE_END:
        return SequenceConfig.ControlKind.END;
      default:
        return SequenceConfig.ControlKind.CORRID;
    }
  }

  private static DataType controlType(ModelSequenceBatching.Control ctl) {
    if (ctl.getKind() == ModelSequenceBatching.Control.Kind.CONTROL_SEQUENCE_CORRID) {
      return DataTypes.fromConfig(ctl.getDataType());
    }
    if (ctl.getFp32FalseTrueCount() > 0) {
      return DataType.FP32;
    }
    if (ctl.getBoolFalseTrueCount() > 0) {
      return DataType.BOOL;
    }
    return DataType.INT32;
  }

  static long[] dims(List<Long> dims) {
    long[] d = new long[dims.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = dims.get(i);
    }
    return d;
  }

  private static int nextPowerOfTwo(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }
}
