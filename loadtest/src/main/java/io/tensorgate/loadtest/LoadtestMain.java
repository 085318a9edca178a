package io.tensorgate.loadtest;

import ai.onnxruntime.OrtException;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar tensorgate-loadtest.jar <run|echo|inprocess> ...}: the load generator and the
 * two baselines it is compared with (the transport ceiling and the compute ceiling).
 */
@Command(
    name = "tensorgate-loadtest",
    mixinStandardHelpOptions = true,
    subcommands = {RunCommand.class, EchoCommand.class, InprocessCommand.class},
    description = "Load generator and baselines for Triton-protocol inference servers.")
public final class LoadtestMain implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /**
   * A command line with friendly errors: bad arguments, server errors and unreadable files print
   * one line and exit with 2.
   */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new LoadtestMain());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(
        (e, cl, parseResult) -> {
          if (e instanceof IllegalArgumentException
              || e instanceof StatusRuntimeException
              || e instanceof OrtException
              || e instanceof IOException) {
            cl.getErr().println("error: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return commandLine;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
