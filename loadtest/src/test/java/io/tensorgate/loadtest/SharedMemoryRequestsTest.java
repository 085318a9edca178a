package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedMemoryRequestsTest {

  @TempDir Path dir;
  private EchoServer echo;
  private ManagedChannel channel;
  private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
  private final List<Payload> payloads =
      new PayloadFactory(ModelSignature.simple(), 1, Map.of()).random(5);

  @BeforeEach
  void start() throws Exception {
    echo = EchoServer.builder().port(0).sharedMemoryDirectory(dir).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", echo.port()).usePlaintext().build();
    stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    echo.close();
  }

  private SharedMemoryRequests requests(int slots) throws Exception {
    return new SharedMemoryRequests(
        stub,
        dir,
        "simple",
        "",
        payloads,
        ModelSignature.simple().outputs(),
        new long[] {64, 64},
        slots);
  }

  @Test
  void shouldRegisterOneInputAndOneOutputRegionPerSlotWhenCreated() throws Exception {
    try (SharedMemoryRequests requests = requests(3)) {
      var regions =
          stub.systemSharedMemoryStatus(SystemSharedMemoryStatusRequest.getDefaultInstance())
              .getRegionsMap();

      assertThat(regions).hasSize(6);
      assertThat(regions.values())
          .allSatisfy(r -> assertThat(r.getKey()).startsWith("/tensorgate-loadtest-"));
      assertThat(regions.values()).extracting(r -> r.getOffset()).containsOnly(0L, 128L, 256L);
    }
  }

  @Test
  void shouldReceiveEchoedInputsInOutputRegionWhenInferring() throws Exception {
    try (SharedMemoryRequests requests = requests(2)) {
      ModelInferRequest request = (ModelInferRequest) requests.request(0, 1).message();

      stub.modelInfer(request);

      Path outputFile;
      try (var files = Files.list(dir)) {
        outputFile = files.filter(p -> p.toString().endsWith("-out")).findFirst().orElseThrow();
      }
      byte[] outputs = Files.readAllBytes(outputFile);
      byte[] slotOne = Arrays.copyOfRange(outputs, 128, 256);
      byte[] expected = new byte[128];
      payloads.get(0).inputs().get(0).raw().copyTo(expected, 0);
      payloads.get(0).inputs().get(1).raw().copyTo(expected, 64);
      assertThat(slotOne).isEqualTo(expected);
      assertThat(request.getInputs(1).getParametersOrThrow("shared_memory_offset").getInt64Param())
          .isEqualTo(64);
      assertThat(request.getRawInputContentsCount()).isZero();
    }
  }

  @Test
  void shouldUnregisterAndDeleteFilesWhenClosed() throws Exception {
    requests(2).close();

    assertThat(
            stub.systemSharedMemoryStatus(SystemSharedMemoryStatusRequest.getDefaultInstance())
                .getRegionsMap())
        .isEmpty();
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }
}
