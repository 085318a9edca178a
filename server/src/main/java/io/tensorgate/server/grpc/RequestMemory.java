package io.tensorgate.server.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.tensorgate.proto.inference.ModelInferRequest;
import java.io.IOException;
import java.io.InputStream;

/**
 * The network buffers one parsed request aliases ({@link AliasingMarshaller}): held until the
 * request is answered, then given back to the transport. Whoever holds one releases it exactly
 * once.
 *
 * <p>How it travels: the marshaller parses on a transport thread and leaves the buffers for that
 * thread ({@link #parsed}); the call's listener ({@link #holding}) takes them with the message it
 * is given next, and makes them claimable ({@link #claim}) while it passes the message on to the
 * service, where the inference handler claims them. grpc-java parses a message and delivers it to
 * the listener on the same thread, one after the other; interceptors pass messages on at once.
 * Whatever nobody claimed is released when the listener is done with the message or the call.
 */
final class RequestMemory {
  /** Parsed on this thread, not yet taken by its call's listener. */
  private static final ThreadLocal<RequestMemory> PARSED = new ThreadLocal<>();

  /** Taken by a call's listener, claimable by the service it is passing the message to. */
  private static final ThreadLocal<RequestMemory> CLAIMABLE = new ThreadLocal<>();

  private final ModelInferRequest message;
  private InputStream buffers;

  private RequestMemory(ModelInferRequest message, InputStream buffers) {
    this.message = message;
    this.buffers = buffers;
  }

  /** Marshaller, on the transport thread: {@code message} holds {@code buffers}. */
  static void parsed(ModelInferRequest message, InputStream buffers) {
    RequestMemory stale = PARSED.get();
    if (stale != null) {
      // Its message never reached a listener (an interceptor refused the call): nobody uses it.
      stale.release();
    }
    PARSED.set(new RequestMemory(message, buffers));
  }

  /**
   * Inference handler: takes the memory of the request being handed to it, or null when the request
   * holds none (it was copied, or came another way). The caller releases it.
   */
  static RequestMemory claim() {
    RequestMemory m = CLAIMABLE.get();
    if (m != null) {
      CLAIMABLE.remove();
    }
    return m;
  }

  /** Gives the buffers back to the transport; later calls do nothing. */
  void release() {
    InputStream b = buffers;
    buffers = null;
    if (b != null) {
      try {
        b.close();
      } catch (IOException | RuntimeException ignored) {
        // Closing releases reference counts; it does not fail in practice.
      }
    }
  }

  /** Takes the memory parsed for {@code message} on this thread, or null. */
  private static RequestMemory take(Object message) {
    RequestMemory m = PARSED.get();
    if (m == null || m.message != message) {
      return null;
    }
    PARSED.remove();
    return m;
  }

  /**
   * The handler of ModelInfer or ModelStreamInfer, with the memory of each request it receives made
   * claimable while the request is passed to {@code handler}'s service method.
   *
   * @param unary whether the method takes one request: its service method runs at half-close
   */
  static <Q, R> ServerCallHandler<Q, R> holding(ServerCallHandler<Q, R> handler, boolean unary) {
    return (call, headers) -> new Holding<>(handler.startCall(call, headers), unary);
  }

  private static final class Holding<Q> extends SimpleForwardingServerCallListener<Q> {
    private final boolean unary;
    // Transport-serialized, as all of a call's listener callbacks.
    private RequestMemory held;

    Holding(ServerCall.Listener<Q> delegate, boolean unary) {
      super(delegate);
      this.unary = unary;
    }

    @Override
    public void onMessage(Q message) {
      RequestMemory m = take(message);
      if (!unary) {
        pass(m, () -> super.onMessage(message));
        return;
      }
      if (held != null && m != null) {
        // A second request on a unary call: the stub refuses it.
        m.release();
      } else if (m != null) {
        held = m;
      }
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      RequestMemory m = held;
      held = null;
      pass(m, super::onHalfClose);
    }

    @Override
    public void onCancel() {
      releaseHeld();
      super.onCancel();
    }

    @Override
    public void onComplete() {
      releaseHeld();
      super.onComplete();
    }

    private void releaseHeld() {
      if (held != null) {
        held.release();
        held = null;
      }
    }

    /** Runs {@code next} with {@code m} claimable; releases it if nobody claimed it. */
    private static void pass(RequestMemory m, Runnable next) {
      if (m == null) {
        next.run();
        return;
      }
      CLAIMABLE.set(m);
      try {
        next.run();
      } finally {
        RequestMemory unclaimed = claim();
        if (unclaimed != null) {
          unclaimed.release();
        }
      }
    }
  }
}
