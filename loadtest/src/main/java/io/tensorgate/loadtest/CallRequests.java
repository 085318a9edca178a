package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Message;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a run sends: ghz's call data ({@code -d}, {@code -D}, {@code -b}, {@code -B}), or, with
 * {@code --model} and no call data, ModelInfer requests generated from the model's metadata
 * (random, zero or perf_analyzer input data, in the message or in system shared memory). Every
 * request is serialized before the run. A unary call sends one message, messages cycled through; a
 * streaming call (ModelStreamInfer) sends all of them (or {@code --stream-call-count}, cycled)
 * before half-closing.
 *
 * @param source the requests, owned by the caller
 * @param data ghz's {@code options.data}: the JSON call data, or null
 * @param binary the call data was binary
 * @param model the model the requests go to (for server statistics), or null
 * @param modelVersion its version
 * @param batchSize the requests' batch size
 * @param requestedOutputs outputs the first request asks for (for {@code --check-outputs})
 */
record CallRequests(
    RequestSource source,
    JsonNode data,
    boolean binary,
    String model,
    String modelVersion,
    int batchSize,
    List<String> requestedOutputs) {

  /**
   * @param slots in-flight slots (shared-memory regions), the most calls in flight at once; -1 if
   *     unbounded
   */
  static CallRequests build(
      RpcMethod method,
      GhzOptions ghz,
      ModelOptions options,
      Channels control,
      int slots,
      InputStream stdin)
      throws Exception {
    boolean json = ghz.data != null || ghz.dataFile != null;
    boolean binary = ghz.binary || ghz.binaryFile != null;
    if (json && binary) {
      throw new IllegalArgumentException("give JSON call data (-d/-D) or binary (-b/-B), not both");
    }
    boolean generated = options.model != null && !json && !binary;
    if (!options.sharedMemory.equals("none") && !options.sharedMemory.equals("system")) {
      throw new IllegalArgumentException("--shared-memory must be none or system");
    }
    if (!generated && !options.sharedMemory.equals("none")) {
      throw new IllegalArgumentException("--shared-memory needs --model without call data");
    }
    if (generated && !method.isModelInfer()) {
      throw new IllegalArgumentException(
          "--model generates ModelInfer requests; --call must be ModelInfer or ModelStreamInfer");
    }
    if (generated) {
      return generated(method, ghz, options, control, slots);
    }
    List<Message> messages;
    JsonNode data = null;
    if (json) {
      String text =
          ghz.dataFile != null
              ? CallData.readFile(ghz.dataFile, "--data-file")
              : ghz.data.equals("@")
                  ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                  : ghz.data;
      messages = CallData.fromJson(text, method.requestPrototype(), ghz.disableTemplateData);
      data = CallData.readJson(text, "call data");
    } else if (binary) {
      byte[] bytes = ghz.binaryFile != null ? binaryFile(ghz.binaryFile) : stdin.readAllBytes();
      messages = CallData.fromBinary(bytes, method.requestPrototype());
    } else {
      messages = List.of(method.requestPrototype().getDefaultInstanceForType());
    }
    String model = options.model;
    String version = options.modelVersion;
    List<String> outputs = List.of();
    if (messages.get(0) instanceof ModelInferRequest first) {
      model = model != null ? model : first.getModelName();
      version = options.model != null ? version : first.getModelVersion();
      outputs = first.getOutputsList().stream().map(o -> o.getName()).toList();
    }
    RequestSource source = encode(method, ghz, messages);
    return new CallRequests(source, data, binary, model, version, 1, outputs);
  }

  private static CallRequests generated(
      RpcMethod method, GhzOptions ghz, ModelOptions options, Channels control, int slots)
      throws Exception {
    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub =
        GRPCInferenceServiceGrpc.newBlockingStub(control.first())
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    ModelSignature signature = ModelSignature.discover(stub, options.model, options.modelVersion);
    PayloadFactory factory =
        new PayloadFactory(
            signature, options.batchSize, PayloadFactory.parseShapes(options.shapes));
    List<Payload> payloads =
        switch (options.inputData) {
          case "random" -> factory.random(options.seed);
          case "zero" -> factory.zero();
          default -> factory.fromData(InputDataFile.read(Path.of(options.inputData)));
        };
    List<String> outputs = signature.outputs().stream().map(TensorSpec::name).toList();
    if (options.sharedMemory.equals("system")) {
      if (slots < 1) {
        throw new IllegalArgumentException(
            "--shared-memory needs a bounded number of calls in flight (a concurrency schedule"
                + " with --concurrency-end or --concurrency-max-duration)");
      }
      if (ghz.enableCompression || method.clientStreaming()) {
        throw new IllegalArgumentException(
            "--shared-memory works with unary ModelInfer without compression");
      }
      SharedMemoryRequests requests =
          new SharedMemoryRequests(
              GRPCInferenceServiceGrpc.newBlockingStub(control.first()),
              options.sharedMemoryDir,
              options.model,
              options.modelVersion,
              payloads,
              signature.outputs(),
              outputSizes(signature, options),
              slots);
      return new CallRequests(
          requests, null, false, options.model, options.modelVersion, options.batchSize, outputs);
    }
    List<Message> messages =
        new ArrayList<>(
            NetworkRequests.messages(
                options.model, options.modelVersion, payloads, options.contents));
    return new CallRequests(
        encode(method, ghz, messages),
        null,
        false,
        options.model,
        options.modelVersion,
        options.batchSize,
        outputs);
  }

  private static byte[] binaryFile(Path file) throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("--binary-file: no such file " + file, e);
    }
  }

  private static long[] outputSizes(ModelSignature signature, ModelOptions options) {
    long[] sizes = new long[signature.outputs().size()];
    for (int i = 0; i < sizes.length; i++) {
      TensorSpec output = signature.outputs().get(i);
      WireType type = output.wireType();
      sizes[i] =
          type.isFixedSize() && Shapes.isFullyKnown(output.shape())
              ? Shapes.elementCount(output.shape()) * type.elementSize() * options.batchSize
              : options.outputSharedMemorySize;
    }
    return sizes;
  }

  /** Unary: one request per message; streaming: one request holding the stream's messages. */
  private static RequestSource encode(RpcMethod method, GhzOptions ghz, List<Message> messages)
      throws IOException {
    List<EncodedRequest> encoded = new ArrayList<>();
    if (method.clientStreaming()) {
      List<Message> stream = messages;
      if (ghz.streamCallCount > 0) {
        stream = new ArrayList<>();
        for (long i = 0; i < ghz.streamCallCount; i++) {
          stream.add(messages.get((int) (i % messages.size())));
        }
      }
      encoded.add(EncodedRequest.of(stream, ghz.enableCompression));
    } else {
      for (Message message : messages) {
        encoded.add(EncodedRequest.of(List.of(message), ghz.enableCompression));
      }
    }
    return new NetworkRequests(encoded);
  }
}
