package io.tensorgate.loadtest;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterRequest;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Requests whose tensors live in POSIX system shared memory, as Triton's system_shared_memory
 * extension defines it. Two files under /dev/shm (inputs, outputs) are cut into one input region
 * and one output region per in-flight slot, each registered with SystemSharedMemoryRegister (key
 * "/file-name", offset, byte_size). A request names its slot's regions through the tensor
 * parameters {@code shared_memory_region}, {@code shared_memory_offset} and {@code
 * shared_memory_byte_size}. Created and closed by the run command's thread; {@link #request} is
 * called concurrently, each slot by one sender at a time.
 */
final class SharedMemoryRequests implements RequestSource, AutoCloseable {

  private static final long CALL_TIMEOUT_SECONDS = 10;

  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
  private final String model;
  private final String version;
  private final List<Payload> payloads;
  private final List<TensorSpec> outputs;
  private final long[] outputSizes;
  private final long inputSlotBytes;
  private final long outputSlotBytes;
  private final int slots;
  private final String prefix;
  private final Path inputFile;
  private final Path outputFile;
  private final MappedByteBuffer inputMemory;
  // Per slot, the payload last written there; a slot is owned by one sender at a time, and the
  // hand-over between senders (slot pool, gRPC callbacks) orders these plain accesses.
  private final int[] writtenPayload;
  // Per (slot, payload), the request built on first use: like NetworkRequests, the hot path sends
  // prebuilt messages.
  private final EncodedRequest[] built;

  // The shutdown hook and close() may race.
  @GuardedBy("this")
  private final List<String> registered = new ArrayList<>();

  // Ctrl-C skips the run's finally blocks: unregister and delete from a shutdown hook as well.
  private final Thread cleanupOnExit = new Thread(this::cleanUpQuietly, "shared-memory-cleanup");

  /**
   * Creates, maps and registers the regions. Blocking. Fails (after cleaning up) when the server
   * refuses a registration.
   *
   * @param outputSizes byte size of each output's region per request, in {@code outputs} order
   */
  SharedMemoryRequests(
      GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub,
      Path directory,
      String model,
      String version,
      List<Payload> payloads,
      List<TensorSpec> outputs,
      long[] outputSizes,
      int slots)
      throws IOException {
    this.stub = Objects.requireNonNull(stub, "stub");
    this.model = Objects.requireNonNull(model, "model");
    this.version = Objects.requireNonNull(version, "version");
    this.payloads = List.copyOf(payloads);
    this.outputs = List.copyOf(outputs);
    this.outputSizes = outputSizes.clone();
    this.slots = slots;
    this.inputSlotBytes = payloads.stream().mapToLong(Payload::byteSize).max().orElse(0);
    this.outputSlotBytes = Math.max(1, Arrays.stream(outputSizes).sum());
    this.prefix = "tensorgate-loadtest-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    this.inputFile = directory.resolve(prefix + "-in");
    this.outputFile = directory.resolve(prefix + "-out");
    this.writtenPayload = new int[slots];
    this.built = new EncodedRequest[Math.multiplyExact(slots, payloads.size())];
    Arrays.fill(writtenPayload, -1);
    Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    try {
      this.inputMemory = map(inputFile, Math.multiplyExact(inputSlotBytes, slots));
      map(outputFile, Math.multiplyExact(outputSlotBytes, slots));
      for (int slot = 0; slot < slots; slot++) {
        register(inputRegion(slot), inputFile, slot * inputSlotBytes, inputSlotBytes);
        register(outputRegion(slot), outputFile, slot * outputSlotBytes, outputSlotBytes);
      }
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
  }

  private static MappedByteBuffer map(Path file, long size) throws IOException {
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "shared memory of " + size + " bytes is too large; lower the in-flight requests");
    }
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      return channel.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(1, size));
    }
  }

  private synchronized void register(String name, Path file, long offset, long size) {
    stub.withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .systemSharedMemoryRegister(
            SystemSharedMemoryRegisterRequest.newBuilder()
                .setName(name)
                .setKey("/" + file.getFileName())
                .setOffset(offset)
                .setByteSize(size)
                .build());
    registered.add(name);
  }

  private String inputRegion(int slot) {
    return prefix + "-in-" + slot;
  }

  private String outputRegion(int slot) {
    return prefix + "-out-" + slot;
  }

  @Override
  public EncodedRequest request(long sequence, int slot) {
    if (slot < 0 || slot >= slots) {
      throw new IllegalArgumentException("slot " + slot + " outside [0, " + slots + ")");
    }
    int index = (int) (sequence % payloads.size());
    Payload payload = payloads.get(index);
    if (writtenPayload[slot] != index) {
      long offset = slot * inputSlotBytes;
      for (Payload.Input input : payload.inputs()) {
        int size = input.raw().size();
        inputMemory.put((int) offset, input.raw().asReadOnlyByteBuffer(), 0, size);
        offset += size;
      }
      writtenPayload[slot] = index;
    }
    int cell = slot * payloads.size() + index;
    EncodedRequest request = built[cell];
    if (request == null) {
      request = EncodedRequest.of(build(payload, slot));
      built[cell] = request;
    }
    return request;
  }

  private ModelInferRequest build(Payload payload, int slot) {
    ModelInferRequest.Builder request =
        ModelInferRequest.newBuilder().setModelName(model).setModelVersion(version);
    long offset = 0;
    for (Payload.Input input : payload.inputs()) {
      int size = input.raw().size();
      request
          .addInputsBuilder()
          .setName(input.name())
          .setDatatype(input.datatype())
          .addAllShape(input.shape())
          .putAllParameters(regionParameters(inputRegion(slot), offset, size));
      offset += size;
    }
    offset = 0;
    for (int i = 0; i < outputs.size(); i++) {
      request
          .addOutputsBuilder()
          .setName(outputs.get(i).name())
          .putAllParameters(regionParameters(outputRegion(slot), offset, outputSizes[i]));
      offset += outputSizes[i];
    }
    return request.build();
  }

  private static Map<String, InferParameter> regionParameters(
      String region, long offset, long size) {
    return Map.of(
        "shared_memory_region", InferParameter.newBuilder().setStringParam(region).build(),
        "shared_memory_offset", InferParameter.newBuilder().setInt64Param(offset).build(),
        "shared_memory_byte_size", InferParameter.newBuilder().setInt64Param(size).build());
  }

  /** Unregisters every region this object registered and deletes the files. Blocking. */
  @Override
  public void close() throws IOException {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to; cleaning up twice is harmless.
    }
    cleanUp();
  }

  private void cleanUpQuietly() {
    try {
      cleanUp();
    } catch (IOException | RuntimeException e) {
      System.err.println("shared memory cleanup failed: " + e);
    }
  }

  private synchronized void cleanUp() throws IOException {
    for (int i = 0; i < built.length; i++) {
      if (built[i] != null) {
        built[i].close();
        built[i] = null;
      }
    }
    RuntimeException failure = null;
    for (String name : registered) {
      try {
        stub.withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .systemSharedMemoryUnregister(
                SystemSharedMemoryUnregisterRequest.newBuilder().setName(name).build());
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    registered.clear();
    Files.deleteIfExists(inputFile);
    Files.deleteIfExists(outputFile);
    if (failure != null) {
      throw failure;
    }
  }
}
