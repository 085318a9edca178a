package io.tensorgate.loadtest;

import java.util.List;
import java.util.Locale;

/**
 * ghz's {@code -O csv}: one line per call ({@code duration (ms),status,error}), up to {@link
 * CallDetails#MAX_CALLS}. Unlike ghz, an error holding a comma, quote or line break is quoted (RFC
 * 4180), so every line keeps three columns. A sweep writes the calls of every level in turn.
 */
final class DetailsCsv {

  private DetailsCsv() {}

  static String text(List<LevelResult> levels) {
    StringBuilder out = new StringBuilder("\nduration (ms),status,error");
    for (LevelResult level : levels) {
      if (level.details() == null) {
        continue;
      }
      for (CallDetails.Call call : level.details().calls()) {
        out.append('\n')
            .append(String.format(Locale.ROOT, "%4.2f", call.latencyNanos() / 1e6))
            .append(',')
            .append(call.status())
            .append(',')
            .append(call.error() == null ? "" : quote(call.error()));
      }
    }
    return out.append('\n').toString();
  }

  static String quote(String field) {
    if (field.indexOf(',') < 0
        && field.indexOf('"') < 0
        && field.indexOf('\n') < 0
        && field.indexOf('\r') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }
}
