package io.tensorgate.server.grpc;

import static io.tensorgate.server.Requests.input;
import static io.tensorgate.server.Requests.int32s;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.tensorgate.proto.inference.ModelReadyRequest;
import io.tensorgate.proto.inference.ServerReadyRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack of issue 11 items 2 and 3: clients infer with inputs and outputs in a shared-memory
 * object that one of them truncates and re-extends in a loop. Every request must be answered (OK,
 * or INVALID_ARGUMENT when the object was too short at that moment), the JVM must live, and {@code
 * simple} must stay ready and serving.
 *
 * <p>The race runs for {@code -Dtensorgate.shmRace.seconds} (3 s by default; the documented run in
 * RELIABILITY.md uses 20).
 */
class SharedMemoryRaceTest {
  private static final int CLIENTS = 6;
  private static final int OBJECT_BYTES = 256;
  private static final long SECONDS = Long.getLong("tensorgate.shmRace.seconds", 3);

  @TempDir static Path repo;
  @TempDir static Path shm;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    server =
        RunningServer.start(TensorgateServer.builder().modelRepository(repo).sharedMemoryRoot(shm));
    try (RandomAccessFile f = new RandomAccessFile(shm.resolve("race").toFile(), "rw")) {
      f.setLength(OBJECT_BYTES);
    }
    register("in", 0, 128);
    register("out", 128, 128);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static void register(String name, long offset, long size) {
    server
        .blocking()
        .systemSharedMemoryRegister(
            SystemSharedMemoryRegisterRequest.newBuilder()
                .setName(name)
                .setKey("/race")
                .setOffset(offset)
                .setByteSize(size)
                .build());
  }

  private static ModelInferRequest shmRequest() {
    return ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(shmInput("INPUT0", 0))
        .addInputs(shmInput("INPUT1", 64))
        .addOutputs(shmOutput("OUTPUT0", 0))
        .addOutputs(shmOutput("OUTPUT1", 64))
        .build();
  }

  private static ModelInferRequest.InferInputTensor shmInput(String name, long offset) {
    return input(name, "INT32", 1, 16).toBuilder()
        .putParameters("shared_memory_region", str("in"))
        .putParameters("shared_memory_offset", i64(offset))
        .putParameters("shared_memory_byte_size", i64(64))
        .build();
  }

  private static InferRequestedOutputTensor shmOutput(String name, long offset) {
    return InferRequestedOutputTensor.newBuilder()
        .setName(name)
        .putParameters("shared_memory_region", str("out"))
        .putParameters("shared_memory_offset", i64(offset))
        .putParameters("shared_memory_byte_size", i64(64))
        .build();
  }

  private static InferParameter str(String s) {
    return InferParameter.newBuilder().setStringParam(s).build();
  }

  private static InferParameter i64(long v) {
    return InferParameter.newBuilder().setInt64Param(v).build();
  }

  @Test
  void shouldAnswerEveryRequestAndStayReadyWhenClientsTruncateTheirObjectWhileInferring()
      throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong sent = new AtomicLong();
    Map<Status.Code, AtomicLong> answers = new EnumMap<>(Status.Code.class);
    for (Status.Code c : Status.Code.values()) {
      answers.put(c, new AtomicLong());
    }
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
    List<Future<?>> tasks = new ArrayList<>();
    tasks.add(
        pool.submit(
            () -> {
              try (RandomAccessFile f = new RandomAccessFile(shm.resolve("race").toFile(), "rw")) {
                while (running.get()) {
                  f.setLength(0);
                  f.setLength(OBJECT_BYTES);
                }
              }
              return null;
            }));
    ModelInferRequest request = shmRequest();
    for (int c = 0; c < CLIENTS; c++) {
      tasks.add(
          pool.submit(
              () -> {
                while (running.get()) {
                  sent.incrementAndGet();
                  Status.Code code;
                  try {
                    server.blocking().withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(request);
                    code = Status.Code.OK;
                  } catch (StatusRuntimeException e) {
                    code = e.getStatus().getCode();
                  }
                  answers.get(code).incrementAndGet();
                }
              }));
    }
    try {
      TimeUnit.SECONDS.sleep(SECONDS); // the attack's duration, not a poll
    } finally {
      running.set(false);
      pool.shutdown();
    }
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    for (Future<?> t : tasks) {
      t.get();
    }

    long answered = answers.values().stream().mapToLong(AtomicLong::get).sum();
    assertThat(answered).isEqualTo(sent.get()).isPositive();
    Map<Status.Code, Long> seen = new EnumMap<>(Status.Code.class);
    answers.forEach((code, n) -> seen.put(code, n.get()));
    seen.values().removeIf(n -> n == 0);
    System.out.printf(
        "shm race, %d clients, %d s: %d requests, answers %s%n", CLIENTS, SECONDS, answered, seen);
    assertThat(seen.keySet())
        .as("answers by status: %s", seen)
        .isSubsetOf(Status.Code.OK, Status.Code.INVALID_ARGUMENT);
    assertThat(server.blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady())
        .isTrue();
    assertThat(
            server
                .blocking()
                .modelReady(ModelReadyRequest.newBuilder().setName("simple").build())
                .getReady())
        .isTrue();
    var plain =
        server
            .blocking()
            .modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("simple")
                    .addInputs(input("INPUT0", "INT32", 1, 16))
                    .addInputs(input("INPUT1", "INT32", 1, 16))
                    .addRawInputContents(int32s(new int[16]))
                    .addRawInputContents(int32s(new int[16]))
                    .build());
    assertThat(plain.getOutputsCount()).isEqualTo(2);
  }
}
