package io.tensorgate.server.security;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tensorgate.backend.DataType;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;

/**
 * Per-request size limits on ModelInfer and ModelStreamInfer messages, checked on the parsed
 * message before any handler sizes anything from it: element count of each input shape, total input
 * bytes the shapes imply, and the number of requested outputs. A shape whose product overflows is
 * left to the decoder, which refuses it with Triton's message before any allocation. A request over
 * a limit ends its call with INVALID_ARGUMENT naming the limit and its flag. Stateless and
 * thread-safe; runs on the transport thread.
 */
final class RequestLimitInterceptor implements ServerInterceptor {
  private final long maxTensorElements;
  private final long maxRequestBytes;
  private final int maxRequestedOutputs;

  RequestLimitInterceptor(long maxTensorElements, long maxRequestBytes, int maxRequestedOutputs) {
    this.maxTensorElements = maxTensorElements;
    this.maxRequestBytes = maxRequestBytes;
    this.maxRequestedOutputs = maxRequestedOutputs;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (ProtocolGroup.of(call.getMethodDescriptor().getFullMethodName())
        != ProtocolGroup.INFERENCE) {
      return next.startCall(call, headers);
    }
    return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      // Transport-thread only: listener callbacks of one call are serialized.
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        String why = message instanceof ModelInferRequest r ? violation(r) : null;
        if (why != null) {
          refused = true;
          call.close(Status.INVALID_ARGUMENT.withDescription(why), new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  /** Why the request breaks a limit, or {@code null} when it does not. */
  String violation(ModelInferRequest r) {
    String model = r.getModelName();
    if (r.getOutputsCount() > maxRequestedOutputs) {
      return "request for model '"
          + model
          + "' asks for "
          + r.getOutputsCount()
          + " outputs, more than the limit of "
          + maxRequestedOutputs
          + " (--max-requested-outputs)";
    }
    long totalBytes = 0;
    for (InferInputTensor in : r.getInputsList()) {
      long elements = 1;
      for (int i = 0; i < in.getShapeCount(); i++) {
        long d = in.getShape(i);
        if (d < 0) {
          // Negative dimensions get the decoder's precise message.
          return null;
        }
        try {
          elements = Math.multiplyExact(elements, d);
        } catch (ArithmeticException e) {
          // The decoder refuses it before sizing anything, with Triton's message and only after
          // the shape checks Triton makes first.
          return null;
        }
      }
      if (elements > maxTensorElements) {
        return "input '"
            + in.getName()
            + "' for model '"
            + model
            + "' has "
            + elements
            + " elements, more than the limit of "
            + maxTensorElements
            + " (--max-tensor-elements)";
      }
      DataType type = DataType.fromWireName(in.getDatatype());
      // A BYTES element takes at least its 4-byte length prefix.
      long elementBytes = type == null || !type.isFixedSize() ? 4 : type.byteSize();
      totalBytes += elements * elementBytes;
      if (totalBytes > maxRequestBytes) {
        return "inputs of the request for model '"
            + model
            + "' take at least "
            + totalBytes
            + " bytes, more than the limit of "
            + maxRequestBytes
            + " (--max-request-tensor-bytes)";
      }
    }
    return null;
  }
}
