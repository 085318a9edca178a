package io.tensorgate.server.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Reads command lines as Triton users write them and answers mistakes in one line.
 *
 * <p>Triton's boolean flags take {@code true/false}, {@code on/off} or {@code 1/0}, as {@code
 * --flag=value} or {@code --flag value}; {@link #normalize} rewrites those to the {@code
 * --flag=true} picocli reads, and Triton's deprecated {@code --trace-level/-rate/-count} to the
 * {@code --trace-config} they stand for. {@link #parameterErrors} prints one error line and a hint
 * instead of the whole help, and for a Triton flag that names a feature Tensorgate does not have,
 * says which and why.
 */
public final class TritonCommandLine {
  private static final Set<String> TRUE = Set.of("true", "on", "1");
  private static final Set<String> FALSE = Set.of("false", "off", "0");

  private static final Map<String, String> DEPRECATED_TRACE =
      Map.of("--trace-level", "level", "--trace-rate", "rate", "--trace-count", "count");

  private TritonCommandLine() {}

  /** The arguments with Triton's boolean values and deprecated trace flags rewritten. */
  public static String[] normalize(CommandLine cli, String[] args) {
    Set<String> booleans = new TreeSet<>();
    for (OptionSpec o : cli.getCommandSpec().options()) {
      if ((o.type() == boolean.class || o.type() == Boolean.class) && o.arity().max() > 0) {
        booleans.addAll(List.of(o.names()));
      }
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      int eq = a.indexOf('=');
      String flag = eq < 0 ? a : a.substring(0, eq);
      if (booleans.contains(flag)) {
        if (eq >= 0) {
          out.add(flag + "=" + canonical(a.substring(eq + 1)));
        } else if (i + 1 < args.length && isBoolean(args[i + 1])) {
          out.add(flag + "=" + canonical(args[++i]));
        } else {
          out.add(a);
        }
      } else if (DEPRECATED_TRACE.containsKey(flag)) {
        String value = eq >= 0 ? a.substring(eq + 1) : (i + 1 < args.length ? args[++i] : "");
        out.add("--trace-config=" + DEPRECATED_TRACE.get(flag) + "=" + value);
      } else {
        out.add(a);
      }
    }
    return out.toArray(new String[0]);
  }

  private static boolean isBoolean(String v) {
    String l = v.toLowerCase(Locale.ROOT);
    return TRUE.contains(l) || FALSE.contains(l);
  }

  /** Triton's boolean words as picocli's; anything else is left for picocli to refuse. */
  private static String canonical(String v) {
    String l = v.toLowerCase(Locale.ROOT);
    return TRUE.contains(l) ? "true" : FALSE.contains(l) ? "false" : v;
  }

  /**
   * Prints one error line and a hint to {@code cli}'s error stream; for Triton's unsupported flags,
   * names the flag and why.
   */
  public static CommandLine.IParameterExceptionHandler parameterErrors(CommandLine cli) {
    return (ex, args) -> {
      CommandLine cmd = cli;
      PrintWriter err = cmd.getErr();
      String line = ex.getMessage();
      if (ex instanceof CommandLine.UnmatchedArgumentException u) {
        line = describeUnmatched(u.getUnmatched());
      }
      err.println(cmd.getColorScheme().errorText("tensorgate: " + firstLine(line)));
      err.println(
          "Run 'tensorgate --help' for the flags; README.md lists every Triton flag and whether it"
              + " is supported.");
      err.flush();
      return cmd.getCommandSpec().exitCodeOnInvalidInput();
    };
  }

  private static String describeUnmatched(List<String> unmatched) {
    for (String a : unmatched) {
      var reason = UnsupportedTritonFlags.reason(a);
      if (reason.isPresent()) {
        return reason.get();
      }
    }
    String first = unmatched.isEmpty() ? "" : unmatched.get(0);
    return first.startsWith("-")
        ? "unknown flag '" + cap(first) + "'"
        : "unexpected argument '" + cap(first) + "'";
  }

  private static String cap(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  private static String firstLine(String s) {
    String t = s == null ? "invalid command line" : s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }
}
