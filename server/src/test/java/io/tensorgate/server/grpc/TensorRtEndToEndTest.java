package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.backend.BackendProvider;
import io.tensorgate.backend.BackendProvider.Availability;
import io.tensorgate.proto.inference.CudaSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryUnregisterRequest;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse.ModelIndex;
import io.tensorgate.proto.inference.ServerMetadataRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.BackendRegistry;
import io.tensorgate.server.testing.FakeCuda;
import io.tensorgate.server.testing.FakeCudaBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TensorRT backend and CUDA shared memory seen from a client: on a host without CUDA (this one,
 * and CI's) the TensorRT model is listed UNAVAILABLE with the loader's reason while ONNX models
 * serve; with a stand-in for CUDA, the CUDA shared-memory RPCs work end to end.
 */
class TensorRtEndToEndTest {
  private static final String TRT_CONFIG =
      "platform: \"tensorrt_plan\"\nmax_batch_size: 8\n"
          + "input [{ name: \"INPUT0\" data_type: TYPE_FP32 dims: [4] }]\n"
          + "output [{ name: \"OUTPUT0\" data_type: TYPE_FP32 dims: [4] }]\n"
          + "instance_group [{ kind: KIND_GPU count: 2 gpus: [0] }]\n";

  @TempDir Path repo;

  /** The TensorRT backend's answer on this host; the tests that need it missing skip otherwise. */
  private static Availability tensorRt() {
    BackendProvider trt =
        BackendRegistry.discover().find("tensorrt", "").orElseThrow(AssertionError::new);
    return trt.availability();
  }

  private void writeTrtModel(String name) throws Exception {
    Path version = Files.createDirectories(repo.resolve(name).resolve("1"));
    // Not an engine: with no CUDA the backend never reads it; with CUDA it would fail to load.
    Files.writeString(version.resolve("model.plan"), "not a TensorRT engine");
    Files.writeString(repo.resolve(name).resolve("config.pbtxt"), TRT_CONFIG);
  }

  private static ModelIndex entry(RunningServer s, String name) {
    return s
        .blocking()
        .repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
        .getModelsList()
        .stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldServeOnnxModelsAndListTheTensorRtModelUnavailableWhenTheHostHasNoTensorRt()
      throws Exception {
    Availability trt = tensorRt();
    assumeFalse(trt.available(), "this host has CUDA and TensorRT");
    new TestRepository(repo).withSampleModel("simple");
    writeTrtModel("engine");

    try (RunningServer s = RunningServer.start(repo)) {
      ModelIndex engine = entry(s, "engine");
      assertThat(engine.getState()).isEqualTo("UNAVAILABLE");
      // The loader's reason, with the server's paths cut to file names.
      assertThat(engine.getReason()).contains("did not load").doesNotContain(repo.toString());
      assertThat(trt.reason())
          .endsWith(engine.getReason().substring(engine.getReason().lastIndexOf(": ")));
      assertThat(entry(s, "simple").getState()).isEqualTo("READY");
      assertThat(
              Requests.readInt32s(
                  Requests.output(s.blocking().modelInfer(Requests.simple(1)), "OUTPUT0"))[3])
          .isEqualTo(4);
    }
  }

  @Test
  void shouldLeaveCudaSharedMemoryOutOfTheExtensionsWhenTheHostHasNoCuda() throws Exception {
    assumeFalse(tensorRt().available(), "this host has CUDA and TensorRT");
    new TestRepository(repo).withSampleModel("simple");

    try (RunningServer s = RunningServer.start(repo)) {
      assertThat(
              s.blocking()
                  .serverMetadata(ServerMetadataRequest.getDefaultInstance())
                  .getExtensionsList())
          .contains("system_shared_memory")
          .doesNotContain("cuda_shared_memory");
    }
  }

  @Test
  void shouldAnswerUnavailableWithTheReasonWhenRegisteringCudaMemoryOnAHostWithoutCuda()
      throws Exception {
    assumeFalse(tensorRt().available(), "this host has CUDA and TensorRT");
    new TestRepository(repo).withSampleModel("simple");

    try (RunningServer s = RunningServer.start(repo)) {
      assertThatThrownBy(
              () -> s.blocking().cudaSharedMemoryRegister(register("r", new byte[64], 64)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription())
                    .startsWith(
                        "failed to register CUDA shared memory region 'r': CUDA is not available"
                            + " on this host: ");
              });
    }
  }

  @Test
  void shouldAnswerStatusAndUnregisterAllWithNoRegionsOnAHostWithoutCuda() throws Exception {
    assumeFalse(tensorRt().available(), "this host has CUDA and TensorRT");
    new TestRepository(repo).withSampleModel("simple");

    try (RunningServer s = RunningServer.start(repo)) {
      s.blocking()
          .cudaSharedMemoryUnregister(CudaSharedMemoryUnregisterRequest.getDefaultInstance());
      assertThat(
              s.blocking()
                  .cudaSharedMemoryStatus(CudaSharedMemoryStatusRequest.getDefaultInstance())
                  .getRegionsMap())
          .isEmpty();
    }
  }

  @Test
  void shouldRefuseAShortHandleWithInvalidArgumentWhateverTheHost() throws Exception {
    new TestRepository(repo).withSampleModel("simple");

    try (RunningServer s = RunningServer.start(repo)) {
      assertThatThrownBy(
              () -> s.blocking().cudaSharedMemoryRegister(register("r", new byte[8], 64)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).contains("got 8");
              });
    }
  }

  @Test
  void shouldListCudaSharedMemoryWhenCudaIsAvailable() throws Exception {
    new TestRepository(repo).withSampleModel("simple");

    try (RunningServer s = startWith(FakeCuda.available(1))) {
      assertThat(
              s.blocking()
                  .serverMetadata(ServerMetadataRequest.getDefaultInstance())
                  .getExtensionsList())
          .containsSubsequence("system_shared_memory", "cuda_shared_memory");
    }
  }

  @Test
  void shouldRegisterReportAndUnregisterACudaRegionWhenCudaIsAvailable() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    FakeCuda cuda = FakeCuda.available(1);

    try (RunningServer s = startWith(cuda)) {
      s.blocking().cudaSharedMemoryRegister(register("in", new byte[64], 128));
      var status =
          s.blocking().cudaSharedMemoryStatus(CudaSharedMemoryStatusRequest.getDefaultInstance());
      assertThat(status.getRegionsMap()).containsOnlyKeys("in");
      assertThat(status.getRegionsOrThrow("in").getByteSize()).isEqualTo(128);
      assertThat(status.getRegionsOrThrow("in").getDeviceId()).isZero();

      s.blocking()
          .cudaSharedMemoryUnregister(
              CudaSharedMemoryUnregisterRequest.newBuilder().setName("in").build());

      assertThat(cuda.opened.get(0).closed).isTrue();
      assertThat(
              s.blocking()
                  .cudaSharedMemoryStatus(CudaSharedMemoryStatusRequest.getDefaultInstance())
                  .getRegionsMap())
          .isEmpty();
    }
  }

  @Test
  void shouldAnswerUnimplementedWhenAnInferenceInputIsInACudaRegion() throws Exception {
    new TestRepository(repo).withSampleModel("simple");

    try (RunningServer s = startWith(FakeCuda.available(1))) {
      s.blocking().cudaSharedMemoryRegister(register("in", new byte[64], 128));
      ModelInferRequest viaCuda =
          ModelInferRequest.newBuilder()
              .setModelName("simple")
              .addInputs(
                  Requests.input("INPUT0", "INT32", 1, 16).toBuilder()
                      .putParameters(
                          "shared_memory_region",
                          InferParameter.newBuilder().setStringParam("in").build())
                      .putParameters(
                          "shared_memory_byte_size",
                          InferParameter.newBuilder().setInt64Param(64).build()))
              .addInputs(
                  Requests.input("INPUT1", "INT32", 1, 16).toBuilder()
                      .putParameters(
                          "shared_memory_region",
                          InferParameter.newBuilder().setStringParam("in").build())
                      .putParameters(
                          "shared_memory_offset",
                          InferParameter.newBuilder().setInt64Param(64).build())
                      .putParameters(
                          "shared_memory_byte_size",
                          InferParameter.newBuilder().setInt64Param(64).build()))
              .build();

      assertThatThrownBy(() -> s.blocking().modelInfer(viaCuda))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                assertThat(e.getStatus().getDescription())
                    .startsWith("shared memory region 'in' is CUDA shared memory");
              });
    }
  }

  @Test
  void shouldCloseCudaRegionsWhenTheServerShutsDown() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    FakeCuda cuda = FakeCuda.available(1);
    RunningServer s = startWith(cuda);
    s.blocking().cudaSharedMemoryRegister(register("in", new byte[64], 128));

    s.close();

    assertThat(cuda.opened.get(0).closed).isTrue();
  }

  private RunningServer startWith(FakeCuda cuda) throws Exception {
    List<BackendProvider> providers = new ArrayList<>();
    providers.add(new FakeCudaBackend(cuda));
    providers.addAll(BackendRegistry.discover().providers());
    return RunningServer.start(
        TensorgateServer.builder().modelRepository(repo).backends(new BackendRegistry(providers)));
  }

  private static CudaSharedMemoryRegisterRequest register(String name, byte[] handle, long size) {
    return CudaSharedMemoryRegisterRequest.newBuilder()
        .setName(name)
        .setRawHandle(ByteString.copyFrom(handle))
        .setDeviceId(0)
        .setByteSize(size)
        .build();
  }
}
