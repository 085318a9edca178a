package io.tensorgate.loadtest;

import io.tensorgate.proto.inference.ModelInferRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests that carry their tensors in the message, built once and cycled through: raw contents
 * (one {@code raw_input_contents} entry per input, what tritonclient sends) or typed {@code
 * contents}.
 */
final class NetworkRequests implements RequestSource {

  /** How tensor contents travel in the message. */
  enum Contents {
    RAW,
    TYPED
  }

  private final ModelInferRequest[] requests;

  NetworkRequests(String model, String version, List<Payload> payloads, Contents contents) {
    List<ModelInferRequest> built = new ArrayList<>(payloads.size());
    for (Payload payload : payloads) {
      ModelInferRequest.Builder request =
          ModelInferRequest.newBuilder().setModelName(model).setModelVersion(version);
      for (Payload.Input input : payload.inputs()) {
        ModelInferRequest.InferInputTensor.Builder tensor =
            request
                .addInputsBuilder()
                .setName(input.name())
                .setDatatype(input.datatype())
                .addAllShape(input.shape());
        if (contents == Contents.RAW) {
          request.addRawInputContents(input.raw());
        } else {
          tensor.setContents(
              TensorEncoding.toTyped(WireType.fromName(input.datatype()), input.raw()));
        }
      }
      built.add(request.build());
    }
    this.requests = built.toArray(new ModelInferRequest[0]);
  }

  @Override
  public ModelInferRequest request(long sequence, int slot) {
    return requests[(int) (sequence % requests.length)];
  }
}
