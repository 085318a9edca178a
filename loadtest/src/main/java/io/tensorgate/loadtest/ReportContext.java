package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;

/**
 * What every report of a run says besides the measurements: ghz's {@code name}, {@code options} and
 * {@code tags}, and Tensorgate's additions (model, batch size, the client that measured).
 *
 * @param name the run's name, or empty
 * @param options ghz's {@code options} object, built from the run's settings; a level's concurrency
 *     or rate is filled in per level
 * @param tags ghz's user tags
 * @param extension the fixed part of the {@code "tensorgate"} object
 * @param countErrors ghz's {@code --count-errors}: statistics cover failed calls too
 * @param details write per-call {@code details} into the JSON report
 */
record ReportContext(
    String name,
    ObjectNode options,
    Map<String, String> tags,
    ObjectNode extension,
    boolean countErrors,
    boolean details) {

  ReportContext {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
    tags = Map.copyOf(tags);
    Objects.requireNonNull(extension, "extension");
  }

  /** The options of one level: a copy with the level's concurrency or rate. */
  ObjectNode optionsFor(LevelResult level) {
    ObjectNode copy = options.deepCopy();
    if (level.mode().equals(LevelResult.CONCURRENCY)) {
      copy.put("concurrency", (long) level.level());
    } else if (level.level() > 0) {
      copy.put("rps", Math.round(level.level()));
    }
    return copy;
  }

  /** One line naming the client that measured, for every report. */
  String clientDescription() {
    return extension.path("client").path("description").asText("tensorgate-loadtest");
  }
}
