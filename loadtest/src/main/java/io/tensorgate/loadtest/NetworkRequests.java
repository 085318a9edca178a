package io.tensorgate.loadtest;

import io.tensorgate.proto.inference.ModelInferRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests that carry everything in the message, encoded once and cycled through in order (ghz
 * sends an array of call data round-robin). For models, the tensors travel as raw contents (one
 * {@code raw_input_contents} entry per input, what tritonclient sends) or as typed {@code
 * contents}.
 */
final class NetworkRequests implements RequestSource {

  /** How tensor contents travel in the message. */
  enum Contents {
    RAW,
    TYPED
  }

  // An array instead of a List: indexed on every send.
  private final EncodedRequest[] requests;

  NetworkRequests(List<EncodedRequest> requests) {
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("no request to send");
    }
    this.requests = requests.toArray(new EncodedRequest[0]);
  }

  /** One ModelInferRequest per payload. */
  static List<ModelInferRequest> messages(
      String model, String version, List<Payload> payloads, Contents contents) {
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
    return built;
  }

  @Override
  public EncodedRequest request(long sequence, int slot) {
    return requests[(int) (sequence % requests.length)];
  }

  @Override
  public void close() {
    for (EncodedRequest request : requests) {
      request.close();
    }
  }
}
