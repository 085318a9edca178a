package io.tensorgate.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code client/examples/standalone}, a Maven project that depends only on tensorgate-client,
 * builds and classifies an example digit against a running server, run by Maven as its README says.
 * Its build sees tensorgate-client only in the repository invoker:install filled under target/ (so
 * it tests this build's client, and never writes tensorgate artifacts to ~/.m2); other artifacts
 * come from the user's local repository as a read-only remote, then Maven Central.
 */
class StandaloneExampleIT {
  @TempDir Path repo;
  @TempDir Path work;

  private static String property(String name) {
    String v = System.getProperty(name);
    assertThat(v)
        .as("system property %s (set by failsafe in client/tests/pom.xml)", name)
        .isNotBlank();
    return v;
  }

  @Test
  void shouldClassifyAnExampleDigitWhenTheStandaloneProjectRunsAgainstAServer() throws Exception {
    Path project = work.resolve("standalone");
    TestRepository.copyTree(TestRepository.PROJECT.resolve("client/examples/standalone"), project);
    deleteTree(project.resolve("target")); // a build a user ran in place
    Path settings = work.resolve("settings.xml");
    String userRepository = Path.of(property("tensorgate.user.repository")).toUri().toString();
    Files.writeString(settings, settings(userRepository));

    List<String> mvn = new ArrayList<>();
    mvn.add(Path.of(property("maven.home"), "bin", "mvn").toString());
    mvn.addAll(List.of("-B", "-q", "-s", settings.toString()));
    mvn.add("-Dmaven.repo.local=" + property("tensorgate.it.repository"));
    if (property("tensorgate.offline").equals("offline=true")) {
      // Offline, Maven still reads file:// repositories when told so.
      mvn.addAll(List.of("-o", "-Daether.offline.protocols=file"));
    }
    mvn.add("package");
    Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"));
    Processes.Outcome built =
        Processes.run(mvn, project, env, work.resolve("package.log"), Duration.ofMinutes(5));
    assertThat(built.exitCode()).as(built.output()).isZero();

    new TestRepository(repo).withSampleModel("cnn_digits");
    try (RunningServer server = RunningServer.start(repo)) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Processes.Outcome o =
          Processes.run(
              List.of(
                  java,
                  "-jar",
                  "target/tensorgate-client-quickstart.jar",
                  "127.0.0.1:" + server.server.port(),
                  Digits.EXAMPLES.resolve("digit_3.png").toString()),
              project,
              env,
              work.resolve("run.log"),
              Duration.ofMinutes(1));

      assertThat(o.exitCode()).as(o.output()).isZero();
      assertThat(o.output())
          .as(o.output())
          .containsPattern("(?m)^digit 3 \\(probability \\d\\.\\d{3}\\)$");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  /** Maven settings that add the user's local repository as a read-only source of releases. */
  private static String settings(String userRepositoryUrl) {
    String repository =
        "<id>user-local</id><url>"
            + userRepositoryUrl
            + "</url><releases><enabled>true</enabled></releases>"
            + "<snapshots><enabled>false</enabled></snapshots>";
    return "<settings><profiles><profile><id>user-local</id>"
        + "<repositories><repository>"
        + repository
        + "</repository></repositories>"
        + "<pluginRepositories><pluginRepository>"
        + repository
        + "</pluginRepository></pluginRepositories>"
        + "</profile></profiles>"
        + "<activeProfiles><activeProfile>user-local</activeProfile></activeProfiles></settings>\n";
  }
}
