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

  private ConfigReader() {}

  /** Parses a {@code config.pbtxt}; a missing file gives an empty config (to be auto-completed). */
  public static ModelConfig readTextFile(Path file) throws ConfigException {
    if (!Files.exists(file)) {
      return ModelConfig.getDefaultInstance();
    }
    try {
      if (Files.size(file) > MAX_CONFIG_BYTES) {
        throw new ConfigException(
            "model configuration " + file + " is larger than " + MAX_CONFIG_BYTES + " bytes");
      }
      return parseText(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new ConfigException("failed to read " + file + ": " + e.getMessage(), e);
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
