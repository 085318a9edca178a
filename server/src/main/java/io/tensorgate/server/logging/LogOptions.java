package io.tensorgate.server.logging;

import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Triton's start-up log flags, with Triton's names and meanings: a picocli mixin of the {@code
 * tensorgate} command. The log file can only be chosen here: LogSettings may change levels and
 * format at run time, never where the log goes.
 */
public final class LogOptions {
  @Option(
      names = "--log-file",
      description =
          "Write the log to this file instead of the console; a new file is created readable by"
              + " its owner only. Cannot be changed through LogSettings.")
  Path file;

  @Option(
      names = "--log-info",
      arity = "1",
      defaultValue = "true",
      converter = TritonBool.class,
      description = "Enable/disable info-level logging (default: ${DEFAULT-VALUE}).")
  boolean info = true;

  @Option(
      names = "--log-warning",
      arity = "1",
      defaultValue = "true",
      converter = TritonBool.class,
      description = "Enable/disable warning-level logging (default: ${DEFAULT-VALUE}).")
  boolean warning = true;

  @Option(
      names = "--log-error",
      arity = "1",
      defaultValue = "true",
      converter = TritonBool.class,
      description = "Enable/disable error-level logging (default: ${DEFAULT-VALUE}).")
  boolean error = true;

  @Option(
      names = "--log-verbose",
      defaultValue = "0",
      converter = VerboseLevel.class,
      description =
          "Verbose logging level; 0 disables verbose logging, 1 and above enable it (true and"
              + " false mean 1 and 0; default: ${DEFAULT-VALUE}).")
  int verbose;

  @Option(
      names = "--log-format",
      defaultValue = "default",
      converter = FormatName.class,
      description =
          "Log format: default, ISO8601 (Triton's) or json (one object per line; default:"
              + " ${DEFAULT-VALUE}).")
  String format = "default";

  /** The settings these flags ask for. */
  public LogControl.Settings settings() {
    return new LogControl.Settings(
        file == null ? "" : file.toString(), info, warning, error, verbose, format);
  }

  /** Triton's bool option values: true/on/1 and false/off/0, any case. */
  static final class TritonBool implements ITypeConverter<Boolean> {
    @Override
    public Boolean convert(String value) {
      switch (value.toLowerCase(Locale.ROOT)) {
        case "true":
        case "on":
        case "1":
          return true;
        case "false":
        case "off":
        case "0":
          return false;
        default:
          throw new TypeConversionException("invalid value for bool option: " + value);
      }
    }
  }

  /** A format LogControl knows; Triton's two names are case-sensitive. */
  static final class FormatName implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!LogControl.FORMATS.contains(value)) {
        throw new TypeConversionException(
            "invalid argument for --log-format: expected default, ISO8601 or json");
      }
      return value;
    }
  }

  /** Triton's {@code --log-verbose}: a non-negative level, or true/false for 1/0. */
  static final class VerboseLevel implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      String v = value.toLowerCase(Locale.ROOT);
      if (v.equals("true")) {
        return 1;
      }
      if (v.equals("false")) {
        return 0;
      }
      int level;
      try {
        level = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new TypeConversionException("invalid value for --log-verbose: " + value);
      }
      if (level < 0) {
        throw new TypeConversionException("--log-verbose must not be negative, got " + value);
      }
      return level;
    }
  }
}
