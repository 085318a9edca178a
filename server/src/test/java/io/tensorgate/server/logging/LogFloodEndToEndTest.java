package io.tensorgate.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.server.CorruptGzip;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.metrics.Scrape;
import io.tensorgate.server.security.SecurityOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log-flooding attack, in the suite: thousands of malformed 8-byte requests, hundreds of
 * connections that speak no HTTP/2 and hundreds of broken streams cost a few log lines, not a stack
 * trace each, and are counted in {@code tensorgate_client_faults_total}.
 */
class LogFloodEndToEndTest {
  private static final int REQUESTS = 2000;
  private static final int CONNECTIONS = 200;
  // Under the per-connection limit of 200 resets, which counts the server's own RST_STREAMs too.
  private static final int STREAMS = 150;

  /** Before the fix each malformed request logged a stack trace of about 6 KB. */
  private static final long MAX_LOG_GROWTH = 4096;

  @TempDir Path dir;
  RunningServer server;

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private Path startWithLogFile() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    new TestRepository(repo).withSampleModel("simple");
    Path log = dir.resolve("server.log");
    LogControl logs =
        new LogControl(new LogControl.Settings(log.toString(), true, true, true, 0, "default"));
    server =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .logControl(logs)
                // Hundreds of connections in a burst: the new-connection rate is not tested here.
                .security(new SecurityOptions().newConnectionsPerSecond(0)));
    return log;
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    // Back to the console, so that later tests in this JVM do not log into the temp folder.
    new LogControl(0);
  }

  private double faults(String kind) throws Exception {
    return Scrape.of(server.server.metricsPort())
        .value("tensorgate_client_faults_total", "kind", kind);
  }

  @Test
  void shouldLogAFewLinesWhenThousandsOfMalformedRequestsArrive() throws Exception {
    Path log = startWithLogFile();
    long before = Files.size(log);
    MethodDescriptor<byte[], byte[]> infer =
        GRPCInferenceServiceGrpc.getModelInferMethod().toBuilder(BYTES, BYTES).build();
    List<Future<byte[]>> calls = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      calls.add(
          ClientCalls.futureUnaryCall(
              server.channel.newCall(
                  infer, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)),
              new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
    }
    for (Future<byte[]> c : calls) {
      try {
        c.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertThat(((StatusRuntimeException) e.getCause()).getStatus().getCode())
            .isEqualTo(Status.Code.INVALID_ARGUMENT);
      }
    }
    assertThat(faults("malformed_message")).isEqualTo(REQUESTS);
    assertThat(Files.size(log) - before).isLessThan(MAX_LOG_GROWTH);
  }

  @Test
  void shouldLogAFewLinesWhenHundredsOfConnectionsSpeakNoHttp2() throws Exception {
    Path log = startWithLogFile();
    long before = Files.size(log);
    for (int i = 0; i < CONNECTIONS; i++) {
      try (Socket s = new Socket("127.0.0.1", server.server.port())) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // The server closes the connection: read to its end.
        s.getInputStream().readAllBytes();
      }
    }
    Awaitility.await()
        .atMost(30, TimeUnit.SECONDS)
        .until(() -> faults("connection_error") >= CONNECTIONS);
    assertThat(Files.size(log) - before).isLessThan(MAX_LOG_GROWTH);
  }

  @Test
  void shouldLogAFewLinesWhenAClientBreaksHundredsOfStreams() throws Exception {
    Path log = startWithLogFile();
    long before = Files.size(log);
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    frames.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(frames, 4, 0, 0, new byte[0]);
    byte[] headers = literalHeaders();
    for (int i = 0; i < STREAMS; i++) {
      int stream = 2 * i + 1;
      // HEADERS that end the stream, then DATA on it: a stream error, the connection lives on.
      frame(frames, 1, 0x4 | 0x1, stream, headers);
      frame(frames, 0, 0, stream, new byte[5]);
    }
    try (Socket s = new Socket("127.0.0.1", server.server.port())) {
      s.getOutputStream().write(frames.toByteArray());
      s.getOutputStream().flush();
      Awaitility.await()
          .atMost(30, TimeUnit.SECONDS)
          .until(() -> faults("stream_error") >= STREAMS);
    }
    assertThat(Files.size(log) - before).isLessThan(MAX_LOG_GROWTH);
  }

  @Test
  void shouldLogAFewLinesWhenThousandsOfMessagesMarkedGzipAreNotGzip() throws Exception {
    Path log = startWithLogFile();
    long before = Files.size(log);
    MethodDescriptor<byte[], byte[]> infer =
        GRPCInferenceServiceGrpc.getModelInferMethod().toBuilder(BYTES, BYTES).build();
    ManagedChannel notGzip = CorruptGzip.notGzip(server.server.port());
    try {
      List<Future<byte[]>> calls = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        calls.add(
            ClientCalls.futureUnaryCall(
                notGzip.newCall(
                    infer,
                    CallOptions.DEFAULT
                        .withCompression("gzip")
                        .withDeadlineAfter(60, TimeUnit.SECONDS)),
                Requests.simple(1).toByteArray()));
      }
      for (Future<byte[]> c : calls) {
        try {
          c.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          assertThat(((StatusRuntimeException) e.getCause()).getStatus().getCode())
              .isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
      }
    } finally {
      notGzip.shutdownNow();
    }
    assertThat(faults("malformed_message")).isEqualTo(REQUESTS);
    assertThat(Files.size(log) - before).isLessThan(MAX_LOG_GROWTH);
  }

  @Test
  void shouldLogAFewLinesWhenHundredsOfStreamsEndInsideAMessage() throws Exception {
    Path log = startWithLogFile();
    long before = Files.size(log);
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    frames.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(frames, 4, 0, 0, new byte[0]);
    byte[] headers = literalHeaders();
    // A gRPC message header announcing 100 bytes, one byte of them, then the end of the stream.
    byte[] cut = {0, 0, 0, 0, 100, 1};
    for (int i = 0; i < STREAMS; i++) {
      int stream = 2 * i + 1;
      frame(frames, 1, 0x4, stream, headers);
      frame(frames, 0, 0x1, stream, cut);
    }
    try (Socket s = new Socket("127.0.0.1", server.server.port())) {
      s.getOutputStream().write(frames.toByteArray());
      s.getOutputStream().flush();
      Awaitility.await()
          .atMost(30, TimeUnit.SECONDS)
          .until(() -> faults("malformed_message") >= STREAMS);
    }
    assertThat(Files.size(log) - before).isLessThan(MAX_LOG_GROWTH);
  }

  private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] p) {
    out.write(p.length >>> 16);
    out.write(p.length >>> 8);
    out.write(p.length);
    out.write(type);
    out.write(flags);
    out.writeBytes(ByteBuffer.allocate(4).putInt(stream).array());
    out.writeBytes(p);
  }

  /** A gRPC request's headers in HPACK literals without indexing: no encoder needed. */
  private static byte[] literalHeaders() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    String[][] h = {
      {":method", "POST"},
      {":scheme", "http"},
      {":path", "/inference.GRPCInferenceService/ModelStreamInfer"},
      {":authority", "localhost"},
      {"content-type", "application/grpc"},
      {"te", "trailers"}
    };
    for (String[] kv : h) {
      b.write(0);
      b.write(kv[0].length());
      b.writeBytes(kv[0].getBytes(StandardCharsets.US_ASCII));
      b.write(kv[1].length());
      b.writeBytes(kv[1].getBytes(StandardCharsets.US_ASCII));
    }
    return b.toByteArray();
  }
}
