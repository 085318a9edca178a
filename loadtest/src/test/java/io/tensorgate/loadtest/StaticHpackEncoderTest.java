package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

class StaticHpackEncoderTest {

  private final Http2Headers headers =
      new DefaultHttp2Headers()
          .method("POST")
          .scheme("https")
          .path("/inference.GRPCInferenceService/ModelInfer")
          .authority("127.0.0.1:8001")
          .add("content-type", "application/grpc")
          .add("te", "trailers")
          .add("user-agent", "tensorgate-loadtest")
          .add("grpc-timeout", "20000m")
          .add("x-token", "a".repeat(300));

  @Test
  void shouldDecodeToTheSameHeadersEveryTimeWithOneDecoder() throws Exception {
    StaticHpackEncoder encoder = new StaticHpackEncoder();
    DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(true);

    for (int streamId = 1; streamId <= 5; streamId += 2) {
      ByteBuf block = Unpooled.buffer();
      encoder.encodeHeaders(streamId, headers, block);

      Http2Headers decoded = decoder.decodeHeaders(streamId, block);

      assertThat(decoded).isEqualTo(headers);
      block.release();
    }
  }

  @Test
  void shouldUseTheStaticTableForPostAndHttps() {
    byte[] block = StaticHpackEncoder.encode(headers);

    // A table size update to 0, then :method POST (index 3) and :scheme https (index 7).
    assertThat(block[0]).isEqualTo((byte) 0x20);
    assertThat(block[1]).isEqualTo((byte) 0x83);
    assertThat(block[2]).isEqualTo((byte) 0x87);
  }
}
