package io.tensorgate.server.repository;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import com.google.protobuf.util.JsonFormat;
import io.tensorgate.proto.inference.ModelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a model configuration: {@code config.pbtxt} with protobuf TextFormat (so whatever Triton
 * accepts parses), or the JSON override of a RepositoryModelLoad request.
 */
public final class ConfigReader {
  /** Config files larger than this are refused rather than parsed. */
  static final long MAX_CONFIG_BYTES = 4L << 20;

  /** Where Triton looks for {@code --model-config-name} files inside a model folder. */
  static final String CONFIGS_FOLDER = "configs";

  private ConfigReader() {}

  /**
   * The configuration file of a model folder: {@code configs/<configName>.pbtxt} when a config name
   * is set and that file exists (Triton's {@code --model-config-name}), else {@code config.pbtxt}.
   */
  static Path configFile(Path modelDir, String configName) {
    if (!configName.isEmpty()) {
      Path custom = modelDir.resolve(CONFIGS_FOLDER).resolve(configName + ".pbtxt");
      if (Files.isRegularFile(custom)) {
        return custom;
      }
    }
    return modelDir.resolve(RepositoryLayout.CONFIG_FILE);
  }

  /**
   * Parses a configuration file; a missing file gives an empty config (to be auto-completed).
   *
   * @param shownAs how messages name the file (relative, never a server path)
   */
  public static ModelConfig readTextFile(Path file, String shownAs) throws ConfigException {
    if (!Files.exists(file)) {
      return ModelConfig.getDefaultInstance();
    }
    try {
      if (Files.size(file) > MAX_CONFIG_BYTES) {
        throw new ConfigException(
            "model configuration " + shownAs + " is larger than " + MAX_CONFIG_BYTES + " bytes");
      }
      return parseText(Files.readString(file, StandardCharsets.UTF_8), shownAs);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new ConfigException("failed to read " + shownAs + ": it is not UTF-8 text", e);
    } catch (IOException e) {
      throw new ConfigException("failed to read " + shownAs, e);
    }
  }

  /** Parses TextFormat text. */
  public static ModelConfig parseText(String text, String source) throws ConfigException {
    ModelConfig.Builder b = ModelConfig.newBuilder();
    try {
      TextFormat.getParser().merge(text, b);
    } catch (TextFormat.ParseException e) {
      throw new ConfigException("failed to parse " + source + ": " + e.getMessage(), e);
    }
    return b.build();
  }

  /** Parses the JSON form of a ModelConfig, as Triton's {@code config} load parameter. */
  public static ModelConfig parseJson(String json) throws ConfigException {
    ModelConfig.Builder b = ModelConfig.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new ConfigException("Invalid config override: " + e.getMessage(), e);
    }
    return b.build();
  }
}
