package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.tensorgate.proto.inference.ModelInferRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The network memory of parsed requests travels from the marshaller to the service that claims it,
 * and is given back exactly when nobody will read it any more.
 */
class RequestMemoryTest {
  private final List<RequestMemory> claimed = new ArrayList<>();
  private boolean claimOnHalfClose = true;

  @Test
  void shouldLetTheServiceClaimTheMemoryWhenAUnaryCallHalfCloses() {
    FrameStream stream = new FrameStream(frames());
    ServerCall.Listener<ModelInferRequest> call = start(true);

    call.onMessage(parse(stream));
    call.onHalfClose();

    assertThat(claimed).hasSize(1);
    assertThat(stream.closed()).as("released before the service is done").isFalse();
    claimed.get(0).release();
    assertThat(stream.closed()).isTrue();
  }

  @Test
  void shouldReleaseTheMemoryWhenTheServiceDoesNotClaimIt() {
    claimOnHalfClose = false;
    FrameStream stream = new FrameStream(frames());
    ServerCall.Listener<ModelInferRequest> call = start(true);

    call.onMessage(parse(stream));
    call.onHalfClose();

    assertThat(claimed).isEmpty();
    assertThat(stream.closed()).isTrue();
  }

  @Test
  void shouldReleaseTheMemoryWhenTheCallIsCancelledBeforeHalfClose() {
    FrameStream stream = new FrameStream(frames());
    ServerCall.Listener<ModelInferRequest> call = start(true);

    call.onMessage(parse(stream));
    call.onCancel();

    assertThat(stream.closed()).isTrue();
  }

  @Test
  void shouldLetTheServiceClaimEachMessageWhenTheCallStreams() {
    FrameStream first = new FrameStream(frames());
    FrameStream second = new FrameStream(frames());
    ServerCall.Listener<ModelInferRequest> call = start(false);

    call.onMessage(parse(first));
    call.onMessage(parse(second));

    assertThat(claimed).hasSize(2);
    claimed.forEach(RequestMemory::release);
    assertThat(first.closed()).isTrue();
    assertThat(second.closed()).isTrue();
  }

  @Test
  void shouldReleaseAParsedMessagesMemoryWhenItNeverReachesAListener() {
    FrameStream dropped = new FrameStream(frames());
    parse(dropped);

    parse(new FrameStream(frames()));

    assertThat(dropped.closed()).isTrue();
    RequestMemory.claim();
  }

  @Test
  void shouldCopyWhenTheStreamOffersNoBuffers() {
    ModelInferRequest m =
        new AliasingMarshaller().parse(new java.io.ByteArrayInputStream(request().toByteArray()));

    assertThat(m).isEqualTo(request());
    assertThat(RequestMemory.claim()).isNull();
  }

  private ServerCall.Listener<ModelInferRequest> start(boolean unary) {
    ServerCallHandler<ModelInferRequest, Object> service =
        (call, headers) ->
            new ServerCall.Listener<>() {
              @Override
              public void onMessage(ModelInferRequest message) {
                if (!unary) {
                  claimed.add(RequestMemory.claim());
                }
              }

              @Override
              public void onHalfClose() {
                if (unary && claimOnHalfClose) {
                  claimed.add(RequestMemory.claim());
                }
              }
            };
    return RequestMemory.holding(service, unary).startCall(new NoCall(), new Metadata());
  }

  private static ModelInferRequest parse(FrameStream stream) {
    return new AliasingMarshaller().parse(stream);
  }

  private static ModelInferRequest request() {
    return ModelInferRequest.newBuilder()
        .setModelName("m")
        .addRawInputContents(com.google.protobuf.ByteString.copyFrom(new byte[300]))
        .build();
  }

  private static List<ByteBuffer> frames() {
    byte[] wire = request().toByteArray();
    ByteBuffer network = ByteBuffer.allocateDirect(wire.length).put(wire).flip();
    return List.of(
        network.duplicate().limit(150).slice(), network.duplicate().position(150).slice());
  }
}
