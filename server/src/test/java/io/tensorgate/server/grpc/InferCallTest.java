package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.codec.ResponseEncoder;
import io.tensorgate.server.repository.FuzzModels;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.repository.TestVersions;
import io.tensorgate.server.route.RouteDecision;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request's answer: the thread that finished it (an instance worker) only hands it back to the
 * call's event loop, where the response is encoded and sent and everything the request held is
 * released.
 */
class InferCallTest {
  private static final ModelIo SIMPLE = FuzzModels.io(FuzzModels.SIMPLE);

  @TempDir Path shmRoot;
  private final LoadedVersion version = TestVersions.version(SIMPLE);
  private final Queue<Runnable> loop = new ArrayDeque<>();
  private final AtomicReference<ModelInferResponse> response = new AtomicReference<>();
  private final AtomicReference<InferenceError> failure = new AtomicReference<>();
  private final FrameStream network = new FrameStream(List.of(wire()));
  private InferCall.Finisher finisher;
  private InferCall call;
  private InferenceRequest request;

  @BeforeEach
  void arrive() throws Exception {
    SharedMemoryRegistry shm = new SharedMemoryRegistry(shmRoot);
    finisher =
        new InferCall.Finisher(new ResponseEncoder(shm), new InflightBudget(1 << 20), List.of());
    ModelInferRequest req = new AliasingMarshaller().parse(network);
    RequestMemory memory = claim(req);
    assertThat(version.tryAcquire()).isTrue();
    call =
        new InferCall(
            finisher,
            new RouteDecision(version, "default"),
            req,
            new Recorder(),
            System.nanoTime(),
            memory,
            loop::add);
    InferenceRequest.Builder b = InferenceRequest.builder();
    call.decoded(new RequestDecoder(shm).decode(req, SIMPLE, b));
    request = b.listener(call).build();
  }

  @Test
  void shouldAnswerOnTheCallsLoopWhenAWorkerFinishesTheRequest() throws Exception {
    long now = System.nanoTime();
    request.markDispatched(now);
    request.markExecuted(new ExecutionTimestamps(now, now, now, now), 1);
    Thread worker = new Thread(() -> call.onSuccess(request, outputs()), "worker");
    worker.start();
    worker.join(10_000);

    assertThat(worker.isAlive()).isFalse();
    assertThat(response.get()).as("answered by the worker").isNull();
    assertThat(loop).hasSize(1);

    loop.poll().run();

    assertThat(response.get().getOutputsCount()).isEqualTo(2);
    assertThat(network.closed()).isTrue();
    assertThat(version.inFlight()).isZero();
  }

  @Test
  void shouldAnswerAtOnceWhenTheTransportThreadDecidesTheOutcome() {
    call.onFailure(request, new InferenceError(ErrorCode.UNAVAILABLE, "full"));

    assertThat(loop).isEmpty();
    assertThat(failure.get().message()).isEqualTo("full");
    assertThat(network.closed()).isTrue();
  }

  @Test
  void shouldKeepTheNetworkMemoryWhenAnAbandonedExecutionMayStillReadIt() throws Exception {
    request.markInputsStillRead();
    Thread worker =
        new Thread(
            () -> call.onFailure(request, new InferenceError(ErrorCode.INTERNAL, "hung")),
            "watchdog");
    worker.start();
    worker.join(10_000);

    loop.poll().run();

    assertThat(failure.get().code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(network.closed()).isFalse();
    assertThat(version.inFlight()).isZero();
  }

  /** The memory of {@code req}, as the service claims it. */
  private static RequestMemory claim(ModelInferRequest req) {
    AtomicReference<RequestMemory> claimed = new AtomicReference<>();
    ServerCall.Listener<ModelInferRequest> listener =
        RequestMemory.<ModelInferRequest, Object>holding(
                (c, h) ->
                    new ServerCall.Listener<>() {
                      @Override
                      public void onHalfClose() {
                        claimed.set(RequestMemory.claim());
                      }
                    },
                true)
            .startCall(null, new Metadata());
    listener.onMessage(req);
    listener.onHalfClose();
    return claimed.get();
  }

  private static ByteBuffer wire() {
    ByteBuffer raw = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    byte[] bytes =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(input("INPUT0"))
            .addInputs(input("INPUT1"))
            .addRawInputContents(ByteString.copyFrom(raw.array()))
            .addRawInputContents(ByteString.copyFrom(raw.array()))
            .build()
            .toByteArray();
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }

  private static ModelInferRequest.InferInputTensor input(String name) {
    return ModelInferRequest.InferInputTensor.newBuilder()
        .setName(name)
        .setDatatype("INT32")
        .addShape(1)
        .addShape(16)
        .build();
  }

  private static List<Tensor> outputs() {
    return List.of(output("OUTPUT0"), output("OUTPUT1"));
  }

  private static Tensor output(String name) {
    return new Tensor(name, DataType.INT32, new long[] {1, 16}, ByteBuffer.allocate(64));
  }

  private final class Recorder implements Responder {
    @Override
    public void respond(ModelInferResponse r) {
      response.set(r);
    }

    @Override
    public void fail(InferenceError error) {
      failure.set(error);
    }

    @Override
    public boolean isCancelled() {
      return false;
    }
  }
}
