package io.tensorgate.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The dependency rules of DESIGN.md: dependencies point down the request path only. */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.tensorgate");

  @Test
  void shouldKeepBatchingFreeOfGrpc() {
    noClasses()
        .that()
        .resideInAPackage("io.tensorgate.batching..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..", "io.tensorgate.server..", "io.tensorgate.proto..")
        .check(CLASSES);
  }

  @Test
  void shouldKeepBackendsFreeOfServerBatchingAndGrpc() {
    noClasses()
        .that()
        .resideInAPackage("io.tensorgate.backend..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.grpc..",
            "io.tensorgate.server..",
            "io.tensorgate.batching..",
            "io.tensorgate.proto..")
        .check(CLASSES);
  }

  @Test
  void shouldKeepProtobufOutOfBatchingAndBackends() {
    noClasses()
        .that()
        .resideInAnyPackage("io.tensorgate.batching..", "io.tensorgate.backend..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.google.protobuf..")
        .check(CLASSES);
  }

  /**
   * The HTTP endpoint is a codec over the gRPC services it calls in process: it reaches routing,
   * validation, scheduling, statistics, metrics, tracing, payload logs and access rules only
   * through those calls, never directly (no second copy of any of them).
   */
  @Test
  void shouldKeepTheHttpEndpointACodecOverTheGrpcServices() {
    noClasses()
        .that()
        .resideInAPackage("io.tensorgate.server.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.tensorgate.batching..",
            "io.tensorgate.server.codec..",
            "io.tensorgate.server.route..",
            "io.tensorgate.server.repository..",
            "io.tensorgate.server.security..",
            "io.tensorgate.server.stats..",
            "io.tensorgate.server.metrics..",
            "io.tensorgate.server.tracing..",
            "io.tensorgate.server.payload..",
            "io.tensorgate.server.shm..")
        .check(CLASSES);
  }
}
