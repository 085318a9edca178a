package io.tensorgate.client;

import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.tensorgate.proto.inference.ModelInferResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One inference request: the model, its inputs, the outputs wanted and Triton's request parameters.
 * Built with {@link #builder(String)}; immutable and reusable (sending it twice sends the same
 * bytes twice, without encoding the inputs again).
 *
 * <pre>{@code
 * InferRequest request = InferRequest.builder("cnn_digits")
 *     .input(InferInput.of("image", pixels, 1, 1, 28, 28))
 *     .output(RequestedOutput.classification("probabilities", 1))
 *     .build();
 * }</pre>
 */
public final class InferRequest {
  /** The request parameter (and header) Tensorgate reads a sticky canary routing key from. */
  public static final String ROUTING_KEY = "tensorgate-routing-key";

  private final ModelInferRequest proto;
  private final Duration deadline;
  private final Set<String> sharedMemoryOutputs;

  private InferRequest(ModelInferRequest proto, Duration deadline, Set<String> shmOutputs) {
    this.proto = proto;
    this.deadline = deadline;
    this.sharedMemoryOutputs = shmOutputs;
  }

  /** A builder for a request to {@code modelName}. */
  public static Builder builder(String modelName) {
    return new Builder(modelName);
  }

  /** The model's name. */
  public String modelName() {
    return proto.getModelName();
  }

  /** The version asked for: a number, a Tensorgate routing label, or empty for the default. */
  public String modelVersion() {
    return proto.getModelVersion();
  }

  /** The request id the server echoes; empty when none was set. */
  public String id() {
    return proto.getId();
  }

  /** This call's gRPC deadline, or {@code null} for the client's default. */
  public Duration deadline() {
    return deadline;
  }

  /** The request as the protocol message that goes on the wire. */
  public ModelInferRequest toProto() {
    return proto;
  }

  /** The outputs asked for in shared memory: servers do not mark them in the answer. */
  Set<String> sharedMemoryOutputs() {
    return sharedMemoryOutputs;
  }

  /** The answer to this request, read with what the request knows about it. */
  InferResult result(ModelInferResponse response, String id) {
    return new InferResult(response, id, sharedMemoryOutputs);
  }

  /** Collects a request's parts; not thread-safe. */
  public static final class Builder {
    private final ModelInferRequest.Builder proto = ModelInferRequest.newBuilder();
    private final Map<String, InferParameter> parameters = new LinkedHashMap<>();
    private final List<InferInput> inputs = new ArrayList<>();
    private final List<RequestedOutput> outputs = new ArrayList<>();
    private Duration deadline;

    private Builder(String modelName) {
      if (Objects.requireNonNull(modelName, "modelName").isEmpty()) {
        throw new IllegalArgumentException("model name must not be empty");
      }
      proto.setModelName(modelName);
    }

    /**
     * The version to run: a number ({@code "2"}), a Tensorgate routing label ({@code "canary"}) or
     * empty for the server's choice (the highest ready version, or Tensorgate's default route).
     */
    public Builder version(String version) {
      proto.setModelVersion(Objects.requireNonNull(version, "version"));
      return this;
    }

    /** A request id the server echoes in its answer. */
    public Builder id(String id) {
      proto.setId(Objects.requireNonNull(id, "id"));
      return this;
    }

    /** Adds an input tensor; inputs are sent in the order added. */
    public Builder input(InferInput input) {
      inputs.add(Objects.requireNonNull(input, "input"));
      return this;
    }

    /** Asks for an output by name (a request that asks for none gets them all). */
    public Builder output(String name) {
      return output(RequestedOutput.of(name));
    }

    /** Asks for an output, possibly as classes or into shared memory. */
    public Builder output(RequestedOutput output) {
      outputs.add(Objects.requireNonNull(output, "output"));
      return this;
    }

    /** A string request parameter. */
    public Builder parameter(String key, String value) {
      return put(key, InferParameter.newBuilder().setStringParam(value).build());
    }

    /** An int64 request parameter. */
    public Builder parameter(String key, long value) {
      return put(key, InferParameter.newBuilder().setInt64Param(value).build());
    }

    /** A bool request parameter. */
    public Builder parameter(String key, boolean value) {
      return put(key, InferParameter.newBuilder().setBoolParam(value).build());
    }

    /** A double request parameter. */
    public Builder parameter(String key, double value) {
      return put(key, InferParameter.newBuilder().setDoubleParam(value).build());
    }

    /**
     * The scheduling priority (Triton's {@code priority}): 1 is the highest level, 0 the model's
     * default level.
     */
    public Builder priority(long priority) {
      if (priority < 0) {
        throw new IllegalArgumentException("priority must be >= 0, got " + priority);
      }
      return put("priority", InferParameter.newBuilder().setUint64Param(priority).build());
    }

    /**
     * How long the request may wait in the server's queue (Triton's {@code timeout}, sent in
     * microseconds); the model's queue policy says whether it may shorten its default. Unlike
     * {@link #deadline}, this is enforced by the server's scheduler.
     */
    public Builder timeout(Duration timeout) {
      long micros = timeout.toNanos() / 1000;
      if (micros < 0) {
        throw new IllegalArgumentException("timeout must not be negative");
      }
      return put("timeout", InferParameter.newBuilder().setInt64Param(micros).build());
    }

    /** Marks the request as part of a sequence with a numeric correlation id. */
    public Builder sequence(long sequenceId, boolean start, boolean end) {
      put("sequence_id", InferParameter.newBuilder().setInt64Param(sequenceId).build());
      return sequenceFlags(start, end);
    }

    /** Marks the request as part of a sequence with a string correlation id. */
    public Builder sequence(String sequenceId, boolean start, boolean end) {
      put("sequence_id", InferParameter.newBuilder().setStringParam(sequenceId).build());
      return sequenceFlags(start, end);
    }

    /**
     * Tensorgate's sticky routing key: requests with the same key always take the same side of a
     * canary split (sent as the {@code tensorgate-routing-key} request parameter, so it works per
     * request on streams too; other servers ignore it).
     */
    public Builder routingKey(String key) {
      return parameter(ROUTING_KEY, Objects.requireNonNull(key, "key"));
    }

    /** This call's gRPC deadline, replacing the client's default deadline. */
    public Builder deadline(Duration deadline) {
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline must be positive");
      }
      this.deadline = deadline;
      return this;
    }

    /** The immutable request; the inputs' bytes are shared, not copied. */
    public InferRequest build() {
      ModelInferRequest.Builder b = proto.clone().putAllParameters(parameters);
      for (InferInput in : inputs) {
        InferInputTensor.Builder t =
            b.addInputsBuilder().setName(in.name()).setDatatype(in.datatype().wireName());
        for (long d : in.shape()) {
          t.addShape(d);
        }
        InferInput.SharedMemoryRef shm = in.sharedMemoryRef();
        if (shm != null) {
          t.putAllParameters(sharedMemoryParameters(shm));
        } else {
          b.addRawInputContents(in.rawContents());
        }
      }
      Set<String> shmOutputs = new HashSet<>();
      for (RequestedOutput out : outputs) {
        InferRequestedOutputTensor.Builder t = b.addOutputsBuilder().setName(out.name());
        if (out.classCount() > 0) {
          t.putParameters(
              "classification",
              InferParameter.newBuilder().setInt64Param(out.classCount()).build());
        }
        if (out.sharedMemoryRef() != null) {
          t.putAllParameters(sharedMemoryParameters(out.sharedMemoryRef()));
          shmOutputs.add(out.name());
        }
      }
      return new InferRequest(b.build(), deadline, Set.copyOf(shmOutputs));
    }

    private Builder sequenceFlags(boolean start, boolean end) {
      put("sequence_start", InferParameter.newBuilder().setBoolParam(start).build());
      return put("sequence_end", InferParameter.newBuilder().setBoolParam(end).build());
    }

    private Builder put(String key, InferParameter value) {
      parameters.put(Objects.requireNonNull(key, "key"), value);
      return this;
    }

    private static Map<String, InferParameter> sharedMemoryParameters(
        InferInput.SharedMemoryRef shm) {
      Map<String, InferParameter> params = new LinkedHashMap<>();
      params.put(
          "shared_memory_region", InferParameter.newBuilder().setStringParam(shm.region()).build());
      params.put(
          "shared_memory_byte_size",
          InferParameter.newBuilder().setInt64Param(shm.byteSize()).build());
      if (shm.offset() != 0) {
        params.put(
            "shared_memory_offset",
            InferParameter.newBuilder().setInt64Param(shm.offset()).build());
      }
      return params;
    }
  }
}
