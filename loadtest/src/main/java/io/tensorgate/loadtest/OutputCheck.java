package io.tensorgate.loadtest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import java.util.List;

/**
 * {@code --check-outputs}: parses each successful ModelInfer (or ModelStreamInfer) response and
 * fails it, with INTERNAL, when it is not a well-formed message or lacks one of the outputs the
 * request asked for (any output when it asked for none). Runs on the event loops; costs a parse per
 * call, so it is off unless asked for.
 */
final class OutputCheck implements ResponseCheck {

  private final boolean stream;
  private final List<String> outputs;

  /**
   * @param stream responses are ModelStreamInferResponse
   * @param outputs output names every response must hold; empty: at least one output
   */
  OutputCheck(boolean stream, List<String> outputs) {
    this.stream = stream;
    this.outputs = List.copyOf(outputs);
  }

  @Override
  public Status check(ByteBuf frames) {
    if (frames.readableBytes() < 5) {
      return Status.INTERNAL.withDescription("response has no message");
    }
    int start = frames.readerIndex();
    if (frames.getByte(start) != 0) {
      return Status.INTERNAL.withDescription("response is compressed; cannot check its outputs");
    }
    long length = frames.getUnsignedInt(start + 1);
    if (length > frames.readableBytes() - 5) {
      return Status.INTERNAL.withDescription("response message is cut short");
    }
    try {
      ModelInferResponse response;
      if (stream) {
        ModelStreamInferResponse streamed =
            ModelStreamInferResponse.parseFrom(frames.nioBuffer(start + 5, (int) length));
        if (!streamed.getErrorMessage().isEmpty()) {
          return Status.INTERNAL.withDescription("stream error: " + streamed.getErrorMessage());
        }
        response = streamed.getInferResponse();
      } else {
        response = ModelInferResponse.parseFrom(frames.nioBuffer(start + 5, (int) length));
      }
      return check(response);
    } catch (InvalidProtocolBufferException e) {
      return Status.INTERNAL.withDescription("response is not a valid message: " + e.getMessage());
    }
  }

  private Status check(ModelInferResponse response) {
    if (outputs.isEmpty()) {
      return response.getOutputsCount() > 0
          ? Status.OK
          : Status.INTERNAL.withDescription("response holds no output");
    }
    for (String name : outputs) {
      boolean found = false;
      for (ModelInferResponse.InferOutputTensor output : response.getOutputsList()) {
        if (output.getName().equals(name)) {
          found = true;
          break;
        }
      }
      if (!found) {
        return Status.INTERNAL.withDescription("response lacks output '" + name + "'");
      }
    }
    return Status.OK;
  }
}
