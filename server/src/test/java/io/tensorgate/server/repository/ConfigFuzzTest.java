package io.tensorgate.server.repository;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelSignature;
import io.tensorgate.backend.TensorSpec;
import io.tensorgate.batching.SchedulerConfig;
import io.tensorgate.proto.inference.ModelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the model configuration path a load takes: {@code config.pbtxt} (TextFormat) or the JSON
 * override of RepositoryModelLoad through {@link ConfigReader}, {@link ConfigCompleter} and {@link
 * ConfigValidator}, then the translation into scheduler settings and the request signature.
 *
 * <p>The property: a config either fails with a {@link ConfigException} (a load failure with a
 * reason), or every later step accepts it without an exception and the scheduler it describes is of
 * bounded size (so a config cannot make the server allocate gigabytes of ring slots). Seeds live in
 * {@code ConfigFuzzTestInputs/<method>/}: the text seeds are plain config files.
 */
class ConfigFuzzTest {
  @TempDir static Path modelDir;

  private static ConfigCompleter completer;
  private static Map<Long, Path> versionDirs;

  @BeforeAll
  static void setUp() throws IOException {
    Path v1 = Files.createDirectories(modelDir.resolve("1"));
    Files.write(v1.resolve("model.onnx"), new byte[0]);
    versionDirs = Map.of(1L, v1);
    completer = new ConfigCompleter(new BackendRegistry(List.of(new FixedSignatureProvider())));
  }

  @FuzzTest
  void parseTextConfig(byte[] input) {
    ModelConfig raw;
    try {
      raw = ConfigReader.parseText(new String(input, StandardCharsets.UTF_8), "config.pbtxt");
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    completeAndCheck(raw);
  }

  @FuzzTest
  void parseJsonConfig(byte[] input) {
    ModelConfig raw;
    try {
      raw = ConfigReader.parseJson(new String(input, StandardCharsets.UTF_8));
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    completeAndCheck(raw);
  }

  private static void completeAndCheck(ModelConfig raw) {
    ModelConfig config;
    try {
      String name = raw.getName().isEmpty() ? "fuzz" : raw.getName();
      config = completer.complete(name, raw, modelDir, versionDirs).config();
      ConfigValidator.validate(config);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    // Accepted: everything a load does with the config before the backend runs must work.
    ModelIo io = FuzzModels.io(config);
    assertThat(io.inputCount()).isEqualTo(config.getInputCount());
    SchedulerConfigs.backendInputSpecs(config);
    SchedulerConfigs.backendOutputSpecs(config);
    VersionPolicies.select(config.getVersionPolicy(), new java.util.TreeSet<>(Set.of(1L, 2L, 3L)));
    SchedulerConfig scheduler = SchedulerConfigs.from(config, 1);
    long slots = (long) scheduler.ringSize() * Math.max(1, scheduler.priorityLevels());
    assertThat(slots)
        .as("ring slots a scheduler preallocates")
        .isBetween(1L, ConfigValidator.MAX_RING_SLOTS);
  }

  /** A backend whose model files all have one signature; it never loads anything. */
  private static final class FixedSignatureProvider implements BackendProvider {
    @Override
    public String name() {
      return "onnxruntime";
    }

    @Override
    public Set<String> platforms() {
      return Set.of("onnxruntime_onnx");
    }

    @Override
    public String defaultModelFilename() {
      return "model.onnx";
    }

    @Override
    public Availability availability() {
      return Availability.yes();
    }

    @Override
    public ModelSignature inspect(Path modelFile) {
      return new ModelSignature(
          List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 4})),
          List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 2})));
    }

    @Override
    public Model load(ModelDefinition definition) throws BackendException {
      throw new BackendException("the fuzz tests never load a model");
    }
  }
}
