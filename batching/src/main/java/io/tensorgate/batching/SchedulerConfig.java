package io.tensorgate.batching;

import io.tensorgate.backend.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A scheduler's settings, taken from a model version's Triton configuration by the server.
 *
 * <p>Without {@code dynamic_batching} or {@code sequence_batching} in the config, every request
 * executes alone ({@link #dynamicBatching()} false); requests still queue and run on all instances.
 */
public final class SchedulerConfig {
  private final String name;
  private final int maxBatchSize;
  private final boolean dynamicBatching;
  private final int[] preferredBatchSizes;
  private final long maxQueueDelayMicros;
  private final boolean preserveOrdering;
  private final int priorityLevels;
  private final int defaultPriorityLevel;
  private final QueuePolicy defaultQueuePolicy;
  private final Map<Integer, QueuePolicy> priorityQueuePolicies;
  private final List<TensorSpec> inputs;
  private final Set<String> raggedInputs;
  private final SequenceConfig sequence;
  private final int ringSize;
  private final long executionTimeoutNanos;
  private final long maxQueueWaitNanos;
  private final boolean inlineExecution;

  private SchedulerConfig(Builder b) {
    this.name = Objects.requireNonNull(b.name, "name");
    this.maxBatchSize = b.maxBatchSize;
    this.dynamicBatching = b.dynamicBatching;
    this.preferredBatchSizes = b.preferredBatchSizes.clone();
    this.maxQueueDelayMicros = b.maxQueueDelayMicros;
    this.preserveOrdering = b.preserveOrdering;
    this.priorityLevels = b.priorityLevels;
    this.defaultPriorityLevel = b.defaultPriorityLevel;
    this.defaultQueuePolicy = Objects.requireNonNull(b.defaultQueuePolicy, "defaultQueuePolicy");
    this.priorityQueuePolicies = Map.copyOf(b.priorityQueuePolicies);
    this.inputs = List.copyOf(Objects.requireNonNull(b.inputs, "inputs"));
    this.raggedInputs = Set.copyOf(b.raggedInputs);
    this.sequence = b.sequence;
    this.ringSize = b.ringSize;
    this.executionTimeoutNanos = b.executionTimeoutNanos;
    this.maxQueueWaitNanos = b.maxQueueWaitNanos;
    this.inlineExecution = b.inlineExecution;
    if (maxBatchSize < 0) {
      throw new IllegalArgumentException("maxBatchSize " + maxBatchSize + " < 0");
    }
    if (Integer.bitCount(ringSize) != 1) {
      throw new IllegalArgumentException("ringSize " + ringSize + " is not a power of two");
    }
    if (priorityLevels > 0 && (defaultPriorityLevel < 1 || defaultPriorityLevel > priorityLevels)) {
      throw new IllegalArgumentException(
          "default priority level " + defaultPriorityLevel + " is not in 1.." + priorityLevels);
    }
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Names the scheduler's threads and messages, e.g. {@code "simple:1"}. */
  public String name() {
    return name;
  }

  /** 0 when the model does not batch. */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /** Whether the config has {@code dynamic_batching}. */
  public boolean dynamicBatching() {
    return dynamicBatching;
  }

  public int[] preferredBatchSizes() {
    return preferredBatchSizes.clone();
  }

  public long maxQueueDelayMicros() {
    return maxQueueDelayMicros;
  }

  public boolean preserveOrdering() {
    return preserveOrdering;
  }

  /** 0 when priorities are off; otherwise levels 1 (highest) .. this. */
  public int priorityLevels() {
    return priorityLevels;
  }

  public int defaultPriorityLevel() {
    return defaultPriorityLevel;
  }

  /** The queue policy of a priority level (the default policy when the level sets none). */
  public QueuePolicy queuePolicy(int level) {
    return priorityQueuePolicies.getOrDefault(level, defaultQueuePolicy);
  }

  public QueuePolicy defaultQueuePolicy() {
    return defaultQueuePolicy;
  }

  public Map<Integer, QueuePolicy> priorityQueuePolicies() {
    return priorityQueuePolicies;
  }

  /** The model's inputs as configured (without the batch dimension when batching). */
  public List<TensorSpec> inputs() {
    return inputs;
  }

  /** Inputs with {@code allow_ragged_batch}: requests may differ in their shape and still batch. */
  public Set<String> raggedInputs() {
    return raggedInputs;
  }

  /** The sequence batching settings, or {@code null} when the model is not stateful. */
  public SequenceConfig sequence() {
    return sequence;
  }

  /** Capacity of each priority level's ring: the hard bound on queued requests. */
  public int ringSize() {
    return ringSize;
  }

  /**
   * How long one execution may run before the instance counts as hung: its batch fails and the
   * instance is replaced (see {@link InstanceSupervisor}); 0 turns the watchdog off.
   */
  public long executionTimeoutNanos() {
    return executionTimeoutNanos;
  }

  /**
   * The queue wait that admitted requests should stay within: a new request whose predicted wait
   * (from the measured time per request and the queue ahead of it) exceeds 3/4 of it is refused at
   * admission; 0 (the default) turns this off. A request's own deadline, when sooner, is the bound
   * instead.
   */
  public long maxQueueWaitNanos() {
    return maxQueueWaitNanos;
  }

  /**
   * Whether a request that finds nothing queued and an instance idle is executed on the submitting
   * thread itself (no hand-off to the instance's worker). Off by default; ignored where the fast
   * path does not apply (sequence batching, ordered delivery, DELAY queue policies).
   */
  public boolean inlineExecution() {
    return inlineExecution;
  }

  /** Builds a config. Defaults follow Triton's. */
  public static final class Builder {
    private final String name;
    private int maxBatchSize;
    private boolean dynamicBatching;
    private int[] preferredBatchSizes = new int[0];
    private long maxQueueDelayMicros;
    private boolean preserveOrdering;
    private int priorityLevels;
    private int defaultPriorityLevel;
    private QueuePolicy defaultQueuePolicy = QueuePolicy.DEFAULT;
    private Map<Integer, QueuePolicy> priorityQueuePolicies = Map.of();
    private List<TensorSpec> inputs = List.of();
    private Set<String> raggedInputs = Set.of();
    private SequenceConfig sequence;
    private int ringSize = 1024;
    private long executionTimeoutNanos;
    private long maxQueueWaitNanos;
    private boolean inlineExecution;

    private Builder(String name) {
      this.name = name;
    }

    public Builder maxBatchSize(int v) {
      this.maxBatchSize = v;
      return this;
    }

    public Builder dynamicBatching(boolean v) {
      this.dynamicBatching = v;
      return this;
    }

    public Builder preferredBatchSizes(int... v) {
      this.preferredBatchSizes = v.clone();
      return this;
    }

    public Builder maxQueueDelayMicros(long v) {
      this.maxQueueDelayMicros = v;
      return this;
    }

    public Builder preserveOrdering(boolean v) {
      this.preserveOrdering = v;
      return this;
    }

    public Builder priorityLevels(int v) {
      this.priorityLevels = v;
      return this;
    }

    public Builder defaultPriorityLevel(int v) {
      this.defaultPriorityLevel = v;
      return this;
    }

    public Builder defaultQueuePolicy(QueuePolicy v) {
      this.defaultQueuePolicy = v;
      return this;
    }

    public Builder priorityQueuePolicies(Map<Integer, QueuePolicy> v) {
      this.priorityQueuePolicies = v;
      return this;
    }

    public Builder inputs(List<TensorSpec> v) {
      this.inputs = v;
      return this;
    }

    public Builder raggedInputs(Set<String> v) {
      this.raggedInputs = v;
      return this;
    }

    public Builder sequence(SequenceConfig v) {
      this.sequence = v;
      return this;
    }

    /** Capacity per priority level; a power of two. */
    public Builder ringSize(int v) {
      this.ringSize = v;
      return this;
    }

    /** 0 (the default) turns the execution watchdog off. */
    public Builder executionTimeoutNanos(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("executionTimeoutNanos " + v + " is negative");
      }
      this.executionTimeoutNanos = v;
      return this;
    }

    /** 0 (the default) turns refusal by predicted queue wait off. */
    public Builder maxQueueWaitNanos(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("maxQueueWaitNanos " + v + " is negative");
      }
      this.maxQueueWaitNanos = v;
      return this;
    }

    /** See {@link SchedulerConfig#inlineExecution()}. */
    public Builder inlineExecution(boolean v) {
      this.inlineExecution = v;
      return this;
    }

    public SchedulerConfig build() {
      return new SchedulerConfig(this);
    }
  }
}
