package io.tensorgate.loadtest;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import java.util.Objects;

/**
 * A method of Triton's {@code inference.GRPCInferenceService}, the one service the harness has
 * compiled in (ghz's {@code --proto} and server reflection are not needed for it).
 *
 * @param descriptor grpc-java's descriptor
 * @param requestPrototype the request message type, for parsing call data
 * @param responsePrototype the response message type
 */
record RpcMethod(
    MethodDescriptor<?, ?> descriptor, Message requestPrototype, Message responsePrototype) {

  static final String MODEL_INFER = "inference.GRPCInferenceService/ModelInfer";
  static final String MODEL_STREAM_INFER = "inference.GRPCInferenceService/ModelStreamInfer";

  RpcMethod {
    Objects.requireNonNull(descriptor, "descriptor");
  }

  /** Finds {@code package.Service/Method} or {@code package.Service.Method} (ghz's two forms). */
  static RpcMethod find(String call) {
    String name = call.trim();
    if (name.indexOf('/') < 0) {
      int dot = name.lastIndexOf('.');
      if (dot > 0) {
        name = name.substring(0, dot) + "/" + name.substring(dot + 1);
      }
    }
    for (MethodDescriptor<?, ?> method :
        GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods()) {
      if (method.getFullMethodName().equals(name)) {
        return new RpcMethod(
            method,
            prototype(method.getRequestMarshaller()),
            prototype(method.getResponseMarshaller()));
      }
    }
    throw new IllegalArgumentException(
        "--call '"
            + shorten(call)
            + "' is not a method of inference.GRPCInferenceService, the service this harness knows");
  }

  private static Message prototype(MethodDescriptor.Marshaller<?> marshaller) {
    return (Message) ((MethodDescriptor.PrototypeMarshaller<?>) marshaller).getMessagePrototype();
  }

  private static String shorten(String text) {
    return text.length() > 100 ? text.substring(0, 100) + "..." : text;
  }

  /** The HTTP/2 path: {@code /package.Service/Method}. */
  String path() {
    return "/" + descriptor.getFullMethodName();
  }

  /** The name as ghz reports it in {@code options.call}: {@code package.Service.Method}. */
  String ghzName() {
    return descriptor.getFullMethodName().replace('/', '.');
  }

  /** Whether a call sends a stream of messages (ModelStreamInfer). */
  boolean clientStreaming() {
    return !descriptor.getType().clientSendsOneMessage();
  }

  boolean isModelInfer() {
    String name = descriptor.getFullMethodName();
    return name.equals(MODEL_INFER) || name.equals(MODEL_STREAM_INFER);
  }
}
