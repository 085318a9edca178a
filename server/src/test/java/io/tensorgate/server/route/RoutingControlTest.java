package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.Shadow;
import io.tensorgate.server.repository.LoadedVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingControlTest {
  @TempDir Path repository;
  private RoutingGraph g;
  private Path file;

  @BeforeEach
  void setUp() throws IOException {
    g = new RoutingGraph(repository);
    Files.createDirectories(repository.resolve("m"));
    file = repository.resolve("m").resolve(RoutingFiles.FILE_NAME);
  }

  private List<RoutingEvent> events() {
    return g.control.events().list("m", 0);
  }

  private void reload(String text) throws IOException {
    Files.writeString(file, text);
    g.control.reloadFile("m");
  }

  private ModelRouting apply(ModelRouting routing) throws Exception {
    return g.control.apply("m", r -> routing, "test", "set");
  }

  private static ModelRouting shadowed(long stable, long canary, long shadow, double abs) {
    ModelRouting.Builder b =
        ModelRouting.newBuilder()
            .setStableVersion(stable)
            .setShadow(Shadow.newBuilder().setVersion(shadow).setFraction(1).setAbsTolerance(abs));
    if (canary > 0) {
      b.setCanary(Canary.newBuilder().setVersion(canary).setWeightPercent(10));
    }
    return b.build();
  }

  private List<String> comparedVersions() {
    return g.meters.find("tensorgate.divergence.comparisons").counters().stream()
        .map(Meter::getId)
        .map(id -> id.getTag("version"))
        .sorted()
        .toList();
  }

  @Test
  void shouldInstallTheRoutingFileWhenItAppears() throws IOException {
    reload("stable_version: 2\n");

    assertThat(g.router.get("m").stable).isEqualTo(2);
    assertThat(events()).singleElement().extracting(RoutingEvent::getKind).isEqualTo("file");
    assertThat(events().get(0).getReason()).isEqualTo("read " + file);
  }

  @Test
  void shouldReadNothingNewWhenTheFileIsUnchanged() throws IOException {
    reload("stable_version: 2\n");
    g.control.reloadFile("m");

    assertThat(events()).hasSize(1);
  }

  @Test
  void shouldDoNothingWhenThereIsNoFileAndNoneWasRead() {
    g.control.reloadFile("m");

    assertThat(events()).isEmpty();
    assertThat(g.router.get("m")).isNull();
  }

  @Test
  void shouldDropTheRoutesWhenTheFileIsRemoved() throws IOException {
    reload("stable_version: 2\n");
    Files.delete(file);
    g.control.reloadFile("m");

    assertThat(g.router.get("m")).isNull();
    assertThat(events())
        .last()
        .extracting(RoutingEvent::getReason)
        .isEqualTo("routing file removed");
  }

  @Test
  void shouldKeepTheRoutesWhenTheFileDoesNotParse() throws IOException {
    reload("stable_version: 2\n");
    reload("stable_version: two\n");

    assertThat(g.router.get("m").stable).isEqualTo(2);
    assertThat(events()).last().extracting(RoutingEvent::getKind).isEqualTo("refused");
    assertThat(events().get(1).getReason()).startsWith("routing file does not parse: ");
  }

  @Test
  void shouldKeepTheRoutesWhenTheFileIsInvalid() throws IOException {
    reload("stable_version: 2\n");
    reload("stable_version: 9\n");

    assertThat(g.router.get("m").stable).isEqualTo(2);
    assertThat(events()).last().extracting(RoutingEvent::getKind).isEqualTo("refused");
    assertThat(events().get(1).getReason()).startsWith("routing file: ").contains("9");
  }

  @Test
  void shouldRestartDivergenceWhenTheFileChangesTheTolerances() throws Exception {
    apply(shadowed(1, 0, 3, 0.5));
    LoadedVersion primary = g.registry.get("m").ready().get(1L);
    g.divergence.entry(primary, g.router.get("m").shadow).mirrored();

    reload("stable_version: 1\nshadow { version: 3 fraction: 1 abs_tolerance: 0.25 }\n");

    assertThat(events())
        .extracting(RoutingEvent::getKind)
        .containsExactly("test", "file", "divergence");
    assertThat(events().get(2).getReason())
        .isEqualTo(
            "divergence of version 1 against shadow 'm' version 3 restarted:"
                + " tolerances now abs 0.25, rel 0.0");
    assertThat(g.divergence.forModel("m"))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.absTolerance).isEqualTo(0.25);
              assertThat(d.requests.sum()).isZero();
            });
  }

  @Test
  void shouldRestartDivergenceWhenTheApiChangesTheTolerances() throws Exception {
    apply(shadowed(1, 2, 3, 0.5));
    for (long v : new long[] {2, 1}) {
      g.divergence.entry(g.registry.get("m").ready().get(v), g.router.get("m").shadow);
    }

    apply(shadowed(1, 2, 3, 0.75));

    assertThat(events())
        .last()
        .extracting(RoutingEvent::getReason)
        .asString()
        .startsWith("divergence of versions 1, 2 against shadow 'm' version 3 restarted");
    assertThat(g.divergence.forModel("m"))
        .extracting(d -> d.primaryVersion)
        .containsExactly(1L, 2L);
  }

  @Test
  void shouldKeepDivergenceWhenTheTolerancesStayTheSame() throws Exception {
    apply(shadowed(1, 0, 3, 0.5));
    DivergenceStats before =
        g.divergence.entry(g.registry.get("m").ready().get(1L), g.router.get("m").shadow);

    apply(shadowed(1, 2, 3, 0.5));

    assertThat(events()).extracting(RoutingEvent::getKind).containsExactly("test", "test");
    assertThat(g.divergence.forModel("m")).singleElement().isSameAs(before);
  }

  @Test
  void shouldRegisterComparisonsForTheStableAndCanaryVersionsWhenAShadowIsSet() throws Exception {
    apply(shadowed(1, 2, 3, 0));

    assertThat(comparedVersions()).containsExactly("1", "2");
  }

  @Test
  void shouldCompareTheLatestVersionWhenNoStableIsSet() throws Exception {
    apply(shadowed(0, 0, 2, 0));

    assertThat(comparedVersions()).containsExactly("3");
  }

  @Test
  void shouldNotCompareTheShadowWithItselfWhenItIsTheLatestVersion() throws Exception {
    apply(shadowed(0, 0, 3, 0));

    assertThat(comparedVersions()).isEmpty();
  }

  @Test
  void shouldGiveANewCanaryANewEpochAndKeepItWhenTheCanaryStays() throws Exception {
    apply(shadowed(1, 2, 3, 0));
    long first = g.router.get("m").canaryEpoch;
    apply(shadowed(1, 2, 3, 0.5));
    long kept = g.router.get("m").canaryEpoch;
    apply(shadowed(1, 3, 2, 0));

    assertThat(kept).isEqualTo(first);
    assertThat(g.router.get("m").canaryEpoch).isGreaterThan(first);
  }

  @Test
  void shouldNotReadBackTheFileItWroteItself() throws Exception {
    apply(shadowed(1, 2, 3, 0));

    g.control.reloadFile("m");

    assertThat(events()).extracting(RoutingEvent::getKind).containsExactly("test");
  }
}
