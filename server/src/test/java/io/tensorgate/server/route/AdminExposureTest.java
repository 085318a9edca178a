package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminExposureTest {
  @TempDir Path dir;

  private Routing routing(String address, RoutingOptions o) throws Exception {
    return Routing.start(
        o,
        new ModelRegistry(),
        dir,
        new SimpleMeterRegistry(),
        new SharedMemoryRegistry(dir),
        address,
        0);
  }

  @Test
  void shouldNotServeTheAdminServiceWhenBoundBeyondLoopbackWithoutAToken() throws Exception {
    try (Routing r = routing("0.0.0.0", new RoutingOptions())) {
      assertThat(r.service()).isEmpty();
    }
  }

  @Test
  void shouldServeTheAdminServiceWhenBoundBeyondLoopbackWithAToken() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "t0ken");
    try (Routing r = routing("0.0.0.0", new RoutingOptions().adminTokenFile(token))) {
      assertThat(r.service()).isPresent();
    }
  }

  @Test
  void shouldServeTheAdminServiceWhenBoundToLoopback() throws Exception {
    try (Routing r = routing("127.0.0.1", new RoutingOptions())) {
      assertThat(r.service()).isPresent();
    }
  }
}
