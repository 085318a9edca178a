package io.tensorgate.server.repository;

import io.tensorgate.proto.inference.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.Objects;

/**
 * Reads and checks a model's folder and configuration before any version loads: Triton's "poll" of
 * a model. A failure here is the model's (its folder, configuration or files), not a version's.
 */
final class ModelFolderReader {
  /** What reading a model's folder gave: the folder, its fingerprint, config and versions. */
  record Read(
      Path modelDir,
      long fingerprint,
      ConfigCompleter.Completed completed,
      NavigableMap<Long, Path> versionDirs) {}

  /** The folder, configuration or files could not be read or checked. */
  static final class ReadException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The fingerprint of what was read, so that poll mode retries only once it changes. */
    final transient long fingerprint;

    ReadException(String message, long fingerprint) {
      super(message);
      this.fingerprint = fingerprint;
    }
  }

  private final RepositoryLayout layout;
  private final RepositorySettings settings;
  private final ConfigCompleter completer;

  ModelFolderReader(
      RepositoryLayout layout, RepositorySettings settings, ConfigCompleter completer) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.completer = Objects.requireNonNull(completer, "completer");
  }

  /**
   * Reads the model from its repository folder, or from {@code overrideDir} when override files
   * were written; {@code configJson}, when given, replaces the configuration file.
   *
   * @throws ReadException with a reason that names files relative to the model folder
   * @throws io.tensorgate.backend.InferenceException INVALID_ARGUMENT when the model's folder
   *     resolves outside the repository
   */
  Read read(String name, String configJson, Path overrideDir)
      throws ReadException, io.tensorgate.backend.InferenceException {
    Path modelDir;
    if (overrideDir != null) {
      modelDir = overrideDir;
    } else {
      if (!layout.hasModel(name)) {
        throw new ReadException("the repository has no model folder of that name", 0);
      }
      modelDir = layout.modelDirectory(name);
    }
    long fingerprint = Fingerprints.of(modelDir);
    try {
      NavigableMap<Long, Path> versionDirs = layout.versionDirectories(modelDir);
      ModelConfig raw;
      if (configJson != null) {
        raw = ConfigReader.parseJson(configJson);
      } else {
        Path file = ConfigReader.configFile(modelDir, settings.configName());
        String shownAs = modelDir.relativize(file).toString();
        if (!settings.autoCompleteConfig() && !Files.exists(file)) {
          throw new ConfigException(
              shownAs
                  + " is missing, and auto-completion is disabled (--disable-auto-complete-config)");
        }
        raw = ConfigReader.readTextFile(file, shownAs);
      }
      ConfigCompleter.Completed completed = completer.complete(name, raw, modelDir, versionDirs);
      ConfigValidator.validate(completed.config());
      return new Read(modelDir, fingerprint, completed, versionDirs);
    } catch (ConfigException e) {
      throw new ReadException(e.getMessage(), fingerprint);
    } catch (IOException e) {
      throw new ReadException("failed to read the model folder", fingerprint);
    }
  }
}
