package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server reflection serves the full inference service descriptor, which is what {@code grpcurl
 * list} and {@code grpcurl describe} need without proto files.
 */
class ReflectionEndToEndTest {
  @TempDir Path repo;

  private static List<ServerReflectionResponse> ask(RunningServer s, ServerReflectionRequest req)
      throws Exception {
    List<ServerReflectionResponse> got = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> out =
        ServerReflectionGrpc.newStub(s.channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse r) {
                    got.add(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    out.onNext(req);
    out.onCompleted();
    done.get(10, TimeUnit.SECONDS);
    return got;
  }

  @Test
  void shouldListInferenceHealthAndReflectionServices() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo)) {
      ServerReflectionResponse r =
          ask(s, ServerReflectionRequest.newBuilder().setListServices("").build()).get(0);
      assertThat(r.getListServicesResponse().getServiceList())
          .extracting(sr -> sr.getName())
          .contains(
              "inference.GRPCInferenceService",
              "grpc.health.v1.Health",
              "grpc.reflection.v1.ServerReflection");
    }
  }

  @Test
  void shouldDescribeAllTwentyInferenceRpcs() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo)) {
      ServerReflectionResponse r =
          ask(
                  s,
                  ServerReflectionRequest.newBuilder()
                      .setFileContainingSymbol("inference.GRPCInferenceService")
                      .build())
              .get(0);
      ServiceDescriptorProto service = null;
      boolean sawModelConfig = false;
      for (var bytes : r.getFileDescriptorResponse().getFileDescriptorProtoList()) {
        FileDescriptorProto f = FileDescriptorProto.parseFrom(bytes);
        for (ServiceDescriptorProto sd : f.getServiceList()) {
          if (sd.getName().equals("GRPCInferenceService")) {
            service = sd;
          }
        }
        sawModelConfig |=
            f.getMessageTypeList().stream().anyMatch(m -> m.getName().equals("ModelConfig"));
      }
      assertThat(service).isNotNull();
      assertThat(service.getMethodList())
          .extracting(m -> m.getName())
          .containsExactlyInAnyOrder(
              "ServerLive",
              "ServerReady",
              "ModelReady",
              "ServerMetadata",
              "ModelMetadata",
              "ModelInfer",
              "ModelStreamInfer",
              "ModelConfig",
              "ModelStatistics",
              "RepositoryIndex",
              "RepositoryModelLoad",
              "RepositoryModelUnload",
              "SystemSharedMemoryStatus",
              "SystemSharedMemoryRegister",
              "SystemSharedMemoryUnregister",
              "CudaSharedMemoryStatus",
              "CudaSharedMemoryRegister",
              "CudaSharedMemoryUnregister",
              "TraceSetting",
              "LogSettings");
      assertThat(sawModelConfig).as("model_config.proto dependency served too").isTrue();
    }
  }
}
