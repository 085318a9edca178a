package io.tensorgate.loadtest;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses durations as Go's time.ParseDuration does (ghz's flags and configs): a sequence of numbers
 * with units, "500ms", "5s", "1m30s", "1.5h", "250us"; and "0".
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

  private static final Pattern WHOLE =
      Pattern.compile("((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+");
  private static final Pattern PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    String text = value.trim();
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    if (!WHOLE.matcher(text).matches()) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration such as 500ms, 5s, 1m30s");
    }
    double nanos = 0;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      double amount = Double.parseDouble(m.group(1));
      nanos +=
          amount
              * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                case "h" -> 3600e9;
                default -> throw new IllegalStateException(m.group(2));
              };
    }
    return Duration.ofNanos(Math.round(nanos));
  }
}
