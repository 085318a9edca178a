package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests compressed as Triton's clients may send them: {@code compression_algorithm="deflate"}
 * (zlib format, as gRPC C++ writes it) besides gzip.
 */
class RequestCompressionEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;
  ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    server = RunningServer.start(repo);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @AfterEach
  void closeChannel() {
    channel.shutdownNow();
  }

  /**
   * A channel that sends messages marked deflate: zlib data when {@code valid}, else as they are.
   */
  private ManagedChannel deflateChannel(boolean valid) {
    Compressor deflate =
        new Compressor() {
          @Override
          public String getMessageEncoding() {
            return "deflate";
          }

          @Override
          public OutputStream compress(OutputStream os) {
            return valid ? new DeflaterOutputStream(os) : os;
          }
        };
    CompressorRegistry registry = CompressorRegistry.newEmptyInstance();
    registry.register(deflate);
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.server.port())
            .usePlaintext()
            .compressorRegistry(registry)
            .build();
    return channel;
  }

  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub deflating(
      ManagedChannel channel) {
    return GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withCompression("deflate")
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Test
  void shouldAnswerWhenARequestIsDeflateCompressed() {
    ModelInferResponse r = deflating(deflateChannel(true)).modelInfer(Requests.simple(1));

    assertThat(Requests.readInt32s(r.getRawOutputContents(0))).hasSize(16);
  }

  @Test
  void shouldAnswerInvalidArgumentWhenAMessageMarkedDeflateDoesNotInflate() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> deflating(deflateChannel(false)).modelInfer(Requests.simple(1)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("malformed ModelInfer request: compressed data that does not inflate");
  }
}
