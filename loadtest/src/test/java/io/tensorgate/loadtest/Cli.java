package io.tensorgate.loadtest;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the command line in-process and captures what it prints; stdout is not a terminal. */
record Cli(int exitCode, String out, String err) {

  static Cli execute(String... args) {
    return execute(new ByteArrayInputStream(new byte[0]), args);
  }

  static Cli execute(InputStream stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = LoadtestMain.commandLine(false, stdin);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    return new Cli(code, out.toString(), err.toString());
  }
}
