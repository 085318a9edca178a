package io.tensorgate.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.server.logging.ClientFaults;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.ZipException;

/**
 * Answers a request message that does not parse with INVALID_ARGUMENT and a short reason, for every
 * method of a service, instead of gRPC's UNKNOWN "Application error processing RPC" and an ERROR
 * log with a stack trace per message. The seam is the method's request marshaller: whatever
 * marshaller a method uses (protobuf's, or a zero-copy one), its parse failure becomes a {@link
 * Malformed} value, which the call's listener turns into the status before any handler sees it. A
 * stream is ended by its first malformed message; the handler sees the call cancelled. Each one is
 * a {@link ClientFaults.Kind#MALFORMED_MESSAGE}.
 */
public final class ParseGuard {
  private final ClientFaults faults;

  public ParseGuard(ClientFaults faults) {
    this.faults = Objects.requireNonNull(faults, "faults");
  }

  /**
   * A request that did not parse, and why (short, no class names); {@code tooLarge} when it
   * inflated past the maximum message size, which gRPC answers RESOURCE_EXHAUSTED uncompressed.
   */
  record Malformed(String reason, boolean tooLarge) {}

  /** The service with every method's parse failures answered as INVALID_ARGUMENT. */
  public ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      ServerMethodDefinition<?, ?> guarded = guard(m);
      descriptor.addMethod(guarded.getMethodDescriptor());
      methods.add(guarded);
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(b::addMethod);
    return b.build();
  }

  private <Q, R> ServerMethodDefinition<Object, R> guard(ServerMethodDefinition<Q, R> def) {
    MethodDescriptor<Q, R> method = def.getMethodDescriptor();
    MethodDescriptor<Object, R> guarded =
        method.toBuilder(
                new GuardedMarshaller<>(method.getRequestMarshaller()),
                method.getResponseMarshaller())
            .build();
    String name = method.getBareMethodName();
    boolean oneRequest = method.getType().clientSendsOneMessage();
    ServerCallHandler<Q, R> handler = def.getServerCallHandler();
    return ServerMethodDefinition.create(
        guarded, (call, headers) -> startCall(name, oneRequest, handler, call, headers));
  }

  @SuppressWarnings("unchecked")
  private <Q, R> ServerCall.Listener<Object> startCall(
      String name,
      boolean oneRequest,
      ServerCallHandler<Q, R> handler,
      ServerCall<Object, R> call,
      Metadata headers) {
    // With one request message it parses before the handler runs, so nothing else can be writing
    // to the call when it is refused; a stream's handler answers from other threads meanwhile.
    GuardedCall<Q, R> guarded =
        oneRequest
            ? new GuardedCall<>((ServerCall<Q, R>) (ServerCall<?, R>) call)
            : new SerializedCall<>((ServerCall<Q, R>) (ServerCall<?, R>) call);
    ServerCall.Listener<Q> listener = handler.startCall(guarded, headers);
    return new Listener<>(listener, guarded, name);
  }

  /** Delegates parsing; a failure becomes a {@link Malformed} value instead of an exception. */
  private static final class GuardedMarshaller<Q> implements Marshaller<Object> {
    private final Marshaller<Q> delegate;

    GuardedMarshaller(Marshaller<Q> delegate) {
      this.delegate = delegate;
    }

    @Override
    @SuppressWarnings("unchecked")
    public InputStream stream(Object value) {
      return delegate.stream((Q) value);
    }

    @Override
    public Object parse(InputStream stream) {
      try {
        return delegate.parse(stream);
      } catch (RuntimeException e) {
        return new Malformed(reason(e), tooLarge(e));
      }
    }
  }

  /** Whether gRPC's size limit on the decompressed message stopped the parse. */
  static boolean tooLarge(Throwable e) {
    int depth = 0;
    for (Throwable t = e; t != null && depth++ < 16; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s
          && s.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        return true;
      }
    }
    return false;
  }

  /** Protobuf's reason in a few words of our own (its messages name its classes). */
  static String reason(Throwable e) {
    StringBuilder all = new StringBuilder();
    boolean gzip = false;
    for (Throwable t = e; t != null && all.length() < 2000; t = t.getCause()) {
      all.append(' ').append(t.getMessage());
      gzip |= t instanceof ZipException;
    }
    String m = all.toString().toLowerCase(Locale.ROOT);
    if (gzip) {
      return m.contains("not in gzip format")
          ? "the message is marked gzip-compressed but is not gzip"
          : "compressed data that does not inflate";
    }
    if (m.contains("ended unexpectedly") || m.contains("truncated")) {
      return "truncated message";
    }
    if (m.contains("invalid tag")) {
      return "invalid field tag";
    }
    if (m.contains("wire type")) {
      return "invalid wire type";
    }
    if (m.contains("malformed varint")) {
      return "malformed varint";
    }
    if (m.contains("negative size")) {
      return "negative length";
    }
    if (m.contains("levels of nesting")) {
      return "nested too deeply";
    }
    if (m.contains("end-group")) {
      return "mismatched end-group tag";
    }
    if (m.contains("utf-8")) {
      return "invalid UTF-8 in a string field";
    }
    if (m.contains("too large") || m.contains("exceeds maximum size")) {
      return "message too large";
    }
    return "not a valid protobuf encoding";
  }

  /** The call the handler sees; {@link #refuse} ends it with a status, once. */
  private static class GuardedCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
    GuardedCall(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    /** Closes the call with {@code status}; false when the handler had closed it already. */
    boolean refuse(Status status) {
      try {
        delegate().close(status, new Metadata());
        return true;
      } catch (IllegalStateException alreadyClosed) {
        return false;
      }
    }
  }

  /** A call whose writes and close are serialized, so a refusal cannot interleave with answers. */
  private static final class SerializedCall<Q, R> extends GuardedCall<Q, R> {
    // Guarded by this.
    private boolean closed;

    SerializedCall(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }

    @Override
    public synchronized boolean isCancelled() {
      return closed || super.isCancelled();
    }

    @Override
    synchronized boolean refuse(Status status) {
      if (closed) {
        return false;
      }
      closed = true;
      return super.refuse(status);
    }
  }

  /** Turns the first malformed message into the refusal; the handler then sees a cancel. */
  private final class Listener<Q> extends SimpleForwardingServerCallListener<Object> {
    private final GuardedCall<Q, ?> call;
    private final String method;
    // Transport-thread only: listener callbacks of one call are serialized.
    private boolean refused;

    @SuppressWarnings("unchecked")
    Listener(ServerCall.Listener<Q> delegate, GuardedCall<Q, ?> call, String method) {
      super((ServerCall.Listener<Object>) (ServerCall.Listener<?>) delegate);
      this.call = call;
      this.method = method;
    }

    @Override
    public void onMessage(Object message) {
      if (refused) {
        return;
      }
      if (message instanceof Malformed m) {
        refused = true;
        faults.record(ClientFaults.Kind.MALFORMED_MESSAGE, method + ": " + m.reason());
        call.refuse(
            m.tooLarge()
                ? Status.RESOURCE_EXHAUSTED.withDescription(
                    method + " request exceeds the maximum message size once decompressed")
                : Status.INVALID_ARGUMENT.withDescription(
                    "malformed " + method + " request: " + m.reason()));
        // The handler learns that its call is over as a client cancel would tell it.
        super.onCancel();
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

    @Override
    public void onCancel() {
      if (!refused) {
        super.onCancel();
      }
    }

    @Override
    public void onComplete() {
      if (!refused) {
        super.onComplete();
      }
    }

    @Override
    public void onReady() {
      if (!refused) {
        super.onReady();
      }
    }
  }
}
