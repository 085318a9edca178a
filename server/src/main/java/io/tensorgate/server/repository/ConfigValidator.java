package io.tensorgate.server.repository;

import io.tensorgate.proto.inference.DataType;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelDynamicBatching;
import io.tensorgate.proto.inference.ModelInput;
import io.tensorgate.proto.inference.ModelInstanceGroup;
import io.tensorgate.proto.inference.ModelOutput;
import io.tensorgate.proto.inference.ModelQueuePolicy;
import io.tensorgate.proto.inference.ModelSequenceBatching;
import io.tensorgate.proto.inference.ModelWarmup;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a completed model configuration before anything is loaded, with messages that name the
 * field at fault.
 */
final class ConfigValidator {
  /** The largest max_batch_size accepted; bounds the memory one batch can ask for. */
  static final int MAX_BATCH_SIZE_LIMIT = 1 << 16;

  /** The most instances one group may ask for. */
  static final int MAX_INSTANCES = 64;

  /** The largest max_queue_size accepted for one priority level. */
  static final int MAX_QUEUE_SIZE = 1 << 20;

  /**
   * The most ring slots (over all priority levels) a model's scheduler may preallocate; every slot
   * holds a request object, so this bounds what a config alone makes the server allocate.
   */
  static final long MAX_RING_SLOTS = 1L << 22;

  private ConfigValidator() {}

  static void validate(ModelConfig c) throws ConfigException {
    String m = "model '" + c.getName() + "'";
    if (c.getMaxBatchSize() < 0 || c.getMaxBatchSize() > MAX_BATCH_SIZE_LIMIT) {
      throw new ConfigException(
          m
              + ": max_batch_size must be in 0.."
              + MAX_BATCH_SIZE_LIMIT
              + ", got "
              + c.getMaxBatchSize());
    }
    if (c.getInputCount() == 0) {
      throw new ConfigException(m + ": the configuration must declare at least one input");
    }
    if (c.getOutputCount() == 0) {
      throw new ConfigException(m + ": the configuration must declare at least one output");
    }
    Set<String> names = new HashSet<>();
    for (ModelInput in : c.getInputList()) {
      checkTensor(m, "input", in.getName(), in.getDataType(), in.getDimsList(), names);
      if (in.hasReshape()) {
        throw new ConfigException(
            m + ": input '" + in.getName() + "' uses 'reshape', which Tensorgate does not support");
      }
    }
    names.clear();
    for (ModelOutput out : c.getOutputList()) {
      checkTensor(m, "output", out.getName(), out.getDataType(), out.getDimsList(), names);
      if (out.hasReshape()) {
        throw new ConfigException(
            m
                + ": output '"
                + out.getName()
                + "' uses 'reshape', which Tensorgate does not support");
      }
    }
    if (c.hasDynamicBatching()) {
      checkDynamicBatching(m, c.getMaxBatchSize(), c.getDynamicBatching());
    }
    if (c.hasSequenceBatching()) {
      checkSequenceBatching(m, c);
    }
    if (c.hasEnsembleScheduling()) {
      throw new ConfigException(m + ": ensemble models are not supported");
    }
    for (ModelInstanceGroup g : c.getInstanceGroupList()) {
      if (g.getCount() < 1 || g.getCount() > MAX_INSTANCES) {
        throw new ConfigException(
            m
                + ": instance group '"
                + g.getName()
                + "' count must be in 1.."
                + MAX_INSTANCES
                + ", got "
                + g.getCount());
      }
    }
    if (c.getModelTransactionPolicy().getDecoupled()) {
      throw new ConfigException(m + ": decoupled models are not supported");
    }
    for (ModelWarmup w : c.getModelWarmupList()) {
      checkWarmup(m, c, w);
    }
  }

  private static void checkTensor(
      String m, String kind, String name, DataType type, List<Long> dims, Set<String> seen)
      throws ConfigException {
    if (name.isEmpty()) {
      throw new ConfigException(m + ": every " + kind + " must have a name");
    }
    if (!seen.add(name)) {
      throw new ConfigException(m + ": " + kind + " '" + name + "' is declared twice");
    }
    if (DataTypes.fromConfig(type) == null) {
      throw new ConfigException(
          m + ": " + kind + " '" + name + "' has no valid data_type (got " + type + ")");
    }
    if (dims.isEmpty()) {
      throw new ConfigException(m + ": " + kind + " '" + name + "' must specify 'dims'");
    }
    for (long d : dims) {
      if (d != -1 && d < 1) {
        throw new ConfigException(
            m + ": " + kind + " '" + name + "' dims must be -1 or positive, got " + dims);
      }
    }
  }

  private static void checkDynamicBatching(String m, int maxBatch, ModelDynamicBatching d)
      throws ConfigException {
    for (int p : d.getPreferredBatchSizeList()) {
      if (p < 1 || p > Math.max(1, maxBatch)) {
        throw new ConfigException(
            m + ": preferred_batch_size " + p + " must be in 1..max_batch_size (" + maxBatch + ")");
      }
    }
    long levels = d.getPriorityLevels();
    // uint64 on the wire: a negative long is a value above 2^63.
    if (levels < 0 || levels > 1024) {
      throw new ConfigException(m + ": priority_levels must be at most 1024, got " + levels);
    }
    if (levels > 0 && (d.getDefaultPriorityLevel() < 1 || d.getDefaultPriorityLevel() > levels)) {
      throw new ConfigException(
          m
              + ": default_priority_level must be in 1.."
              + levels
              + ", got "
              + d.getDefaultPriorityLevel());
    }
    long ring =
        Math.max(
            SchedulerConfigs.DEFAULT_RING_SIZE,
            checkQueuePolicy(m, "default_queue_policy", d.getDefaultQueuePolicy()));
    for (var e : d.getPriorityQueuePolicyMap().entrySet()) {
      ring =
          Math.max(ring, checkQueuePolicy(m, "priority_queue_policy " + e.getKey(), e.getValue()));
    }
    // The scheduler rounds the ring up to a power of two and gives every level one.
    long slots = Long.highestOneBit(ring - 1) * 2 * Math.max(1, levels);
    if (slots > MAX_RING_SLOTS) {
      throw new ConfigException(
          m
              + ": max_queue_size and priority_levels ask for "
              + slots
              + " queue slots, more than "
              + MAX_RING_SLOTS);
    }
    for (Long level : d.getPriorityQueuePolicyMap().keySet()) {
      if (level < 1 || level > levels) {
        throw new ConfigException(
            m
                + ": priority_queue_policy names level "
                + level
                + ", but priority_levels is "
                + levels);
      }
    }
  }

  /** Checks the unsigned fields of a queue policy; returns its max_queue_size. */
  private static long checkQueuePolicy(String m, String where, ModelQueuePolicy p)
      throws ConfigException {
    long size = Integer.toUnsignedLong(p.getMaxQueueSize());
    if (size > MAX_QUEUE_SIZE) {
      throw new ConfigException(
          m + ": " + where + " max_queue_size must be at most " + MAX_QUEUE_SIZE + ", got " + size);
    }
    if (p.getDefaultTimeoutMicroseconds() < 0) {
      throw new ConfigException(
          m
              + ": "
              + where
              + " default_timeout_microseconds is too large: "
              + Long.toUnsignedString(p.getDefaultTimeoutMicroseconds()));
    }
    return size;
  }

  private static void checkSequenceBatching(String m, ModelConfig c) throws ConfigException {
    ModelSequenceBatching s = c.getSequenceBatching();
    Set<String> inputs = new HashSet<>();
    c.getInputList().forEach(i -> inputs.add(i.getName()));
    for (ModelSequenceBatching.ControlInput ci : s.getControlInputList()) {
      if (ci.getControlCount() != 1) {
        throw new ConfigException(
            m + ": sequence control input '" + ci.getName() + "' must have exactly one control");
      }
      ModelSequenceBatching.Control ctl = ci.getControl(0);
      boolean corrid = ctl.getKind() == ModelSequenceBatching.Control.Kind.CONTROL_SEQUENCE_CORRID;
      int values =
          ctl.getInt32FalseTrueCount() + ctl.getFp32FalseTrueCount() + ctl.getBoolFalseTrueCount();
      if (!corrid && values != 2) {
        throw new ConfigException(
            m
                + ": sequence control '"
                + ci.getName()
                + "' must give exactly two false/true values in one of int32_false_true,"
                + " fp32_false_true or bool_false_true");
      }
      if (corrid && DataTypes.fromConfig(ctl.getDataType()) == null) {
        throw new ConfigException(
            m + ": sequence control '" + ci.getName() + "' (CORRID) must set data_type");
      }
    }
    for (ModelSequenceBatching.State st : s.getStateList()) {
      if (st.getInputName().isEmpty() || st.getOutputName().isEmpty()) {
        throw new ConfigException(m + ": sequence state needs input_name and output_name");
      }
      if (DataTypes.fromConfig(st.getDataType()) == null) {
        throw new ConfigException(
            m + ": sequence state '" + st.getInputName() + "' has no valid data_type");
      }
      for (long d : st.getDimsList()) {
        if (d < 1) {
          throw new ConfigException(
              m + ": sequence state '" + st.getInputName() + "' dims must be positive");
        }
      }
    }
  }

  private static void checkWarmup(String m, ModelConfig c, ModelWarmup w) throws ConfigException {
    String where = m + ": model_warmup '" + w.getName() + "'";
    int maxBatch = Math.max(1, c.getMaxBatchSize());
    if (w.getBatchSize() < 1 || w.getBatchSize() > maxBatch) {
      throw new ConfigException(
          where + " batch_size must be in 1.." + maxBatch + ", got " + w.getBatchSize());
    }
    Set<String> inputs = new HashSet<>();
    c.getInputList().forEach(i -> inputs.add(i.getName()));
    for (var e : w.getInputsMap().entrySet()) {
      if (!inputs.contains(e.getKey())) {
        throw new ConfigException(where + " names unknown input '" + e.getKey() + "'");
      }
      for (long d : e.getValue().getDimsList()) {
        if (d < 1) {
          throw new ConfigException(where + " input '" + e.getKey() + "' dims must be positive");
        }
      }
    }
  }
}
