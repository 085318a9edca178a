package io.tensorgate.loadtest;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parses durations the way ghz and Go write them: "500ms", "5s", "1m", "250us", "2h", "0". */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

  private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    String text = value.trim();
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration such as 500ms, 5s, 1m");
    }
    double amount = Double.parseDouble(m.group(1));
    double nanosPerUnit =
        switch (m.group(2)) {
          case "ns" -> 1;
          case "us", "µs" -> 1e3;
          case "ms" -> 1e6;
          case "s" -> 1e9;
          case "m" -> 60e9;
          case "h" -> 3600e9;
          default -> throw new IllegalStateException(m.group(2));
        };
    return Duration.ofNanos(Math.round(amount * nanosPerUnit));
  }
}
