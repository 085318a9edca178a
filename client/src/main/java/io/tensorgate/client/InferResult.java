package io.tensorgate.client;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelInferResponse.InferOutputTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A server's answer to one {@link InferRequest}: which model version answered, and the outputs.
 * Immutable and thread-safe.
 */
public final class InferResult {
  private final ModelInferResponse proto;
  private final String id;
  private final List<InferOutput> outputs;

  InferResult(ModelInferResponse proto, String id, Set<String> sharedMemoryOutputs) {
    this.proto = proto;
    this.id = id;
    List<InferOutput> list = new ArrayList<>(proto.getOutputsCount());
    for (int i = 0; i < proto.getOutputsCount(); i++) {
      // Raw contents line up with outputs by index (an output in shared memory has an empty one).
      ByteString raw = i < proto.getRawOutputContentsCount() ? proto.getRawOutputContents(i) : null;
      InferOutputTensor t = proto.getOutputs(i);
      list.add(new InferOutput(t, raw, sharedMemoryOutputs.contains(t.getName())));
    }
    this.outputs = Collections.unmodifiableList(list);
  }

  /**
   * The result of a response message, as a client reads it. Outputs written to shared memory are
   * only known as such when the server marks them ({@code shared_memory_region}); the client's own
   * calls know them from the request.
   */
  public static InferResult of(ModelInferResponse response) {
    return new InferResult(response, response.getId(), Set.of());
  }

  /** The model that answered. */
  public String modelName() {
    return proto.getModelName();
  }

  /**
   * The version that answered: with Tensorgate's routing (labels, canary splits) this says which
   * side of the split a request took.
   */
  public String modelVersion() {
    return proto.getModelVersion();
  }

  /** The request's id, as the caller set it (empty when none was set). */
  public String id() {
    return id;
  }

  /** The answer's parameters. */
  public Map<String, InferParameter> parameters() {
    return proto.getParametersMap();
  }

  /** The outputs in the server's order. */
  public List<InferOutput> outputs() {
    return outputs;
  }

  /**
   * The output with this name.
   *
   * @throws IllegalArgumentException when the answer has no such output
   */
  public InferOutput output(String name) {
    for (InferOutput o : outputs) {
      if (o.name().equals(name)) {
        return o;
      }
    }
    List<String> names = new ArrayList<>();
    for (InferOutput o : outputs) {
      names.add(o.name());
    }
    throw new IllegalArgumentException(
        "no output '" + Shapes.clip(name) + "' in the answer; it has " + names);
  }

  /** The answer as the protocol message that came off the wire. */
  public ModelInferResponse toProto() {
    return proto;
  }
}
