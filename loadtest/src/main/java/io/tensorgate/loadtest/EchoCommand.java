package io.tensorgate.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code echo}: runs the {@link EchoServer} until SIGTERM (or Ctrl-C). */
@Command(
    name = "echo",
    mixinStandardHelpOptions = true,
    description = {
      "A bare grpc-java server that answers ModelInfer with the inputs copied to outputs: the"
          + " transport ceiling. Runs until SIGTERM.",
      "Default model: 'simple' (INPUT0, INPUT1 INT32 [batch,16]; max_batch_size 8)."
    })
final class EchoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "address to bind (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "8001", description = "port (default ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = {"-m", "--model"},
      defaultValue = "simple",
      description = "model name (default ${DEFAULT-VALUE})")
  String model;

  @Option(
      names = "--input",
      description =
          "NAME:DATATYPE:d1,d2 input without the batch dimension, repeatable (default: simple's INPUT0, INPUT1 INT32:16)")
  List<String> inputs = new ArrayList<>();

  @Option(
      names = "--max-batch-size",
      description =
          "max_batch_size reported in ModelConfig (default: 8 for simple's signature, else 0)")
  Integer maxBatchSize;

  @Override
  public Integer call() throws Exception {
    ModelSignature signature = signature();
    EchoServer server = EchoServer.builder().host(host).port(port).signature(signature).start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "echo-shutdown"));
    spec.commandLine()
        .getOut()
        .printf(
            "echo server for model '%s' listening on %s:%d%n",
            signature.name(), host, server.port());
    spec.commandLine().getOut().flush();
    server.awaitTermination();
    return 0;
  }

  ModelSignature signature() {
    if (inputs.isEmpty()) {
      ModelSignature simple = ModelSignature.simple();
      return new ModelSignature(
          model,
          maxBatchSize == null ? simple.maxBatchSize() : maxBatchSize,
          simple.inputs(),
          simple.outputs());
    }
    List<TensorSpec> in = new ArrayList<>();
    List<TensorSpec> out = new ArrayList<>();
    for (String text : inputs) {
      TensorSpec input = TensorSpec.parse(text);
      in.add(input);
      out.add(new TensorSpec("OUTPUT" + out.size(), input.datatype(), input.shape()));
    }
    return new ModelSignature(model, maxBatchSize == null ? 0 : maxBatchSize, in, out);
  }
}
