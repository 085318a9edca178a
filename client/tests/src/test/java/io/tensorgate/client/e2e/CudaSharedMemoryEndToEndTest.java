package io.tensorgate.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.BackendProvider;
import io.tensorgate.client.TensorgateClient;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.BackendRegistry;
import io.tensorgate.server.testing.FakeCuda;
import io.tensorgate.server.testing.FakeCudaBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CUDA shared-memory calls through the client, on a server with a stand-in for CUDA. */
class CudaSharedMemoryEndToEndTest {
  @TempDir Path repo;

  @Test
  void shouldRegisterReportAndUnregisterCudaRegionsWhenCudaIsThere() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    FakeCuda cuda = FakeCuda.available(1);
    List<BackendProvider> providers = new ArrayList<>();
    providers.add(new FakeCudaBackend(cuda));
    providers.addAll(BackendRegistry.discover().providers());
    try (RunningServer s =
            RunningServer.start(
                TensorgateServer.builder()
                    .modelRepository(repo)
                    .backends(new BackendRegistry(providers)));
        TensorgateClient client =
            TensorgateClient.builder("127.0.0.1:" + s.server.port()).build()) {
      client.sharedMemory().registerCuda("a", new byte[64], 0, 128);
      client.sharedMemory().registerCuda("b", new byte[64], 0, 256);

      assertThat(client.sharedMemory().cudaStatus()).containsOnlyKeys("a", "b");
      assertThat(client.sharedMemory().cudaStatus("b").get("b").getByteSize()).isEqualTo(256);
      client.sharedMemory().unregisterCuda("a");
      assertThat(client.sharedMemory().cudaStatus()).containsOnlyKeys("b");
      client.sharedMemory().unregisterAllCuda();
      assertThat(client.sharedMemory().cudaStatus()).isEmpty();
      assertThat(cuda.opened).allSatisfy(h -> assertThat(h.closed).isTrue());
    }
  }
}
