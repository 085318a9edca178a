package io.tensorgate.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Detachable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.PrototypeMarshaller;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses ModelInferRequest without copying its tensor bytes: over the transport's own buffers
 * (grpc-java's {@link Detachable} and {@link HasByteBuffer} streams, Netty's direct memory), with
 * protobuf's aliasing, so that every {@code raw_input_contents} entry is a view of the bytes as
 * they arrived (in as many pieces as HTTP/2 frames it spans).
 *
 * <p>The parsed message then holds the network buffers: they go to the {@link RequestMemory} that
 * the call's handler claims and releases once the request is answered. A stream that offers no
 * buffers (the in-process transport, tests) is parsed by protobuf's own marshaller, which copies.
 *
 * <p>Stateless and thread-safe; runs on transport threads.
 */
final class AliasingMarshaller implements PrototypeMarshaller<ModelInferRequest> {
  private final PrototypeMarshaller<ModelInferRequest> plain =
      (PrototypeMarshaller<ModelInferRequest>)
          ProtoUtils.marshaller(ModelInferRequest.getDefaultInstance());

  /**
   * {@code service} (Tensorgate's GRPCInferenceService) with ModelInfer and ModelStreamInfer
   * parsing their requests with this marshaller, their handlers holding each request's memory (see
   * {@link RequestMemory}). Install it before any wrapping that replaces marshallers ({@link
   * ParseGuard} delegates to it).
   */
  static ServerServiceDefinition install(ServerServiceDefinition service) {
    AliasingMarshaller marshaller = new AliasingMarshaller();
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      String name = m.getMethodDescriptor().getFullMethodName();
      ServerMethodDefinition<?, ?> replaced =
          name.equals(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
                  || name.equals(
                      GRPCInferenceServiceGrpc.getModelStreamInferMethod().getFullMethodName())
              ? aliasing(m, marshaller)
              : m;
      descriptor.addMethod(replaced.getMethodDescriptor());
      methods.add(replaced);
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(b::addMethod);
    return b.build();
  }

  @SuppressWarnings("unchecked") // only ModelInfer and ModelStreamInfer, whose requests they are
  private static <R> ServerMethodDefinition<ModelInferRequest, R> aliasing(
      ServerMethodDefinition<?, R> definition, AliasingMarshaller marshaller) {
    ServerMethodDefinition<ModelInferRequest, R> m =
        (ServerMethodDefinition<ModelInferRequest, R>) definition;
    MethodDescriptor<ModelInferRequest, R> method = m.getMethodDescriptor();
    return ServerMethodDefinition.create(
        method.toBuilder(marshaller, method.getResponseMarshaller()).build(),
        RequestMemory.holding(m.getServerCallHandler(), method.getType().clientSendsOneMessage()));
  }

  @Override
  public Class<ModelInferRequest> getMessageClass() {
    return plain.getMessageClass();
  }

  @Override
  public ModelInferRequest getMessagePrototype() {
    return plain.getMessagePrototype();
  }

  @Override
  public InputStream stream(ModelInferRequest value) {
    return plain.stream(value);
  }

  @Override
  public ModelInferRequest parse(InputStream stream) {
    if (!(stream instanceof KnownLength
        && stream instanceof Detachable detachable
        && stream instanceof HasByteBuffer hasBuffers
        && hasBuffers.byteBufferSupported())) {
      return plain.parse(stream);
    }
    InputStream detached = detachable.detach();
    boolean handedOver = false;
    try {
      ModelInferRequest message = parse(buffers(detached));
      RequestMemory.parsed(message, detached);
      handedOver = true;
      return message;
    } catch (IOException e) {
      throw invalid(e);
    } finally {
      if (!handedOver) {
        closeQuietly(detached);
      }
    }
  }

  /** The stream's buffers, in order; they stay the stream's until it is closed. */
  private static List<ByteBuffer> buffers(InputStream detached) throws IOException {
    int size = detached.available();
    // Marked, the stream keeps the buffers it moves past until it is closed.
    detached.mark(size);
    List<ByteBuffer> buffers = new ArrayList<>(2);
    while (detached.available() > 0) {
      ByteBuffer b = ((HasByteBuffer) detached).getByteBuffer();
      buffers.add(b);
      long skipped = detached.skip(b.remaining());
      if (skipped != b.remaining()) {
        throw new IOException("could not skip over a buffer of the message");
      }
    }
    detached.reset();
    return buffers;
  }

  /**
   * Parses the message in {@code buffers} with aliasing: a bytes field within one buffer is a view
   * of it, one that spans buffers a rope of views of each (protobuf's decoder over immutable direct
   * buffers), so no tensor byte is copied however many frames it arrived in.
   */
  static ModelInferRequest parse(List<ByteBuffer> buffers) throws InvalidProtocolBufferException {
    if (buffers.size() == 1) {
      return parse(UnsafeByteOperations.unsafeWrap(buffers.get(0)));
    }
    List<ByteString> frames = new ArrayList<>(buffers.size());
    for (ByteBuffer b : buffers) {
      frames.add(UnsafeByteOperations.unsafeWrap(b));
    }
    return parse(ByteString.copyFrom(frames));
  }

  private static ModelInferRequest parse(ByteString bytes) throws InvalidProtocolBufferException {
    CodedInputStream in = bytes.newCodedInput();
    in.enableAliasing(true);
    in.setSizeLimit(Integer.MAX_VALUE);
    ModelInferRequest message = ModelInferRequest.parser().parseFrom(in);
    in.checkLastTagWas(0);
    return message;
  }

  private static RuntimeException invalid(IOException e) {
    // The status grpc-java's own marshaller raises; ParseGuard words the cause for the client.
    return Status.INTERNAL
        .withDescription("Invalid protobuf byte sequence")
        .withCause(e)
        .asRuntimeException();
  }

  private static void closeQuietly(InputStream stream) {
    try {
      stream.close();
    } catch (IOException | RuntimeException ignored) {
      // Releasing network buffers does not fail in practice; nothing more to do if it did.
    }
  }
}
