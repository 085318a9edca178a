package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallResponseTest {
  private static final long START = System.nanoTime();

  private final CallResponse response = new CallResponse();

  @Test
  void shouldBeOkWhenTheTrailersSayZero() {
    response.start(null);
    response.onHeaders(new DefaultHttp2Headers().status("200"));
    response.onHeaders(new DefaultHttp2Headers().add("grpc-status", "0"));

    assertThat(response.status(null, 0, START, null).isOk()).isTrue();
  }

  @Test
  void shouldCarryTheDecodedMessageWhenTheTrailersSayAnError() {
    response.start(null);
    response.onHeaders(
        new DefaultHttp2Headers()
            .status("200")
            .add("grpc-status", "3")
            .add("grpc-message", "bad%20input"));

    Status status = response.status(null, 0, START, null);

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).isEqualTo("bad input");
  }

  @Test
  void shouldReadTheHttpStatusWhenTheResponseIsNoGrpc() {
    response.start(null);
    response.onHeaders(new DefaultHttp2Headers().status("503"));

    assertThat(response.status(null, 0, START, null).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void shouldCountACancelPastTheTimeoutAsTheDeadlineWhenTheServerResets() {
    response.start(null);
    response.onReset(Http2Error.CANCEL.code());

    Status status = response.status(null, 1, START - 1_000, null);

    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }

  @Test
  void shouldFallBackToTheConnectionsReasonWhenTheStreamClosedWithoutStatus() {
    Status closed = Status.UNAVAILABLE.withDescription("server sent GOAWAY (NO_ERROR)");
    response.start(null);

    assertThat(response.status(null, 0, START, closed)).isSameAs(closed);
    assertThat(response.status(null, 0, START, null).getCode()).isEqualTo(Status.Code.INTERNAL);
  }

  @Test
  void shouldRefuseMoreDataWhenTheResponseGrowsPastTheLimit() {
    response.start(null);

    assertThat(response.onData(Unpooled.wrappedBuffer(new byte[6]), 10)).isTrue();
    assertThat(response.onData(Unpooled.wrappedBuffer(new byte[6]), 10)).isFalse();
  }

  @Test
  void shouldHandTheGatheredMessageToTheCheckWhenOneIsAsked() {
    AtomicInteger seen = new AtomicInteger(-1);
    response.start(ByteBufAllocator.DEFAULT);
    response.onData(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 2}), 100);
    response.onData(Unpooled.wrappedBuffer(new byte[] {7, 7}), 100);
    response.onHeaders(new DefaultHttp2Headers().add("grpc-status", "0"));

    Status status =
        response.status(
            frames -> {
              seen.set(frames.readableBytes());
              return Status.OK;
            },
            0,
            START,
            null);
    response.reset();

    assertThat(status.isOk()).isTrue();
    assertThat(seen).hasValue(7);
  }
}
