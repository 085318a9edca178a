package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.BatchListener;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.batching.ResponseListener;
import io.tensorgate.batching.Scheduler;
import io.tensorgate.batching.SchedulerConfig;
import io.tensorgate.batching.Schedulers;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.repository.FuzzModels;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counts the copies of an input tensor's bytes from the network buffers they arrived in to the
 * memory the model instance executes from, through the real marshaller, decoder and scheduler: one
 * at most (gathering a batch into the instance's memory), none when a lone request's bytes can be
 * handed over as they are.
 *
 * <p>A stage copied when a change to the bytes before it does not show in the bytes after it. The
 * network buffers here are the test's own direct buffers, cut into frames as HTTP/2 would.
 */
class InputCopiesTest {
  private static final int WIDTH = 1024;
  private static final ModelIo IO =
      FuzzModels.io(
          """
          name: "wide"
          max_batch_size: 8
          input [ { name: "IN" data_type: TYPE_FP32 dims: [ 1024 ] } ]
          output [ { name: "OUT" data_type: TYPE_FP32 dims: [ 1024 ] } ]
          """);

  @TempDir Path shmRoot;
  private final ProbingInstance instance = new ProbingInstance();
  private final Scheduler scheduler =
      Schedulers.create(
          SchedulerConfig.builder("wide:1").maxBatchSize(8).dynamicBatching(true).build(),
          List.of(instance),
          BatchListener.NONE);
  private final List<Arrival> arrivals = new ArrayList<>();

  @AfterEach
  void close() {
    instance.gate.countDown();
    scheduler.close();
    arrivals.forEach(a -> a.memory.release());
  }

  @Test
  void shouldCopyNothingWhenALoneRequestArrivedInOneFrame() throws Exception {
    Arrival a = arrive(1f, 0);

    Batch batch = instance.next();

    assertThat(a.copiesUpToDecoding()).isZero();
    assertThat(copies(a, batch)).isZero();
  }

  @Test
  void shouldCopyOnceWhenALoneRequestArrivedInSeveralFrames() throws Exception {
    Arrival a = arrive(1f, 3);

    Batch batch = instance.next();

    assertThat(a.decoded.segmentCount()).isGreaterThan(1);
    assertThat(a.copiesUpToDecoding()).isZero();
    assertThat(copies(a, batch)).isEqualTo(1);
    assertThat(batch.inInstanceMemory(0)).isTrue();
  }

  @Test
  void shouldCopyEachRequestOnceWhenRequestsAreBatched() throws Exception {
    instance.hold();
    arrive(1f, 0);
    instance.awaitEntered();
    Arrival second = arrive(2f, 0);
    Arrival third = arrive(3f, 2);
    instance.gate.countDown();

    instance.next();
    Batch batched = instance.next();

    assertThat(batched.size()).isEqualTo(2);
    assertThat(second.copiesUpToDecoding()).isZero();
    assertThat(third.copiesUpToDecoding()).isZero();
    assertThat(copies(second, batched)).isEqualTo(1);
    assertThat(copies(third, batched)).isEqualTo(1);
    assertThat(batched.inInstanceMemory(0)).isTrue();
  }

  /**
   * The copies between the decoded input and the batch the instance ran: none when the batch shows
   * a change to the network buffers in place, one when the batch is the instance's own memory
   * holding the request's bytes.
   */
  private static int copies(Arrival a, Batch batch) {
    Tensor input = batch.inputs().get(0);
    int row = a.row(batch);
    if (a.showsInPlace(input, row)) {
      return a.copiesUpToDecoding();
    }
    return a.copiesUpToDecoding() + 1;
  }

  /** Serializes a request of one row of {@code value}s, cuts it into frames, and submits it. */
  private Arrival arrive(float value, int cuts) throws Exception {
    ByteBuffer payload = ByteBuffer.allocate(WIDTH * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < WIDTH; i++) {
      payload.putFloat(value);
    }
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName("wide")
            .setId("r" + value)
            .addInputs(
                InferInputTensor.newBuilder()
                    .setName("IN")
                    .setDatatype("FP32")
                    .addShape(1)
                    .addShape(WIDTH))
            .addRawInputContents(ByteString.copyFrom(payload.flip()))
            .build();
    byte[] wire = request.toByteArray();
    int payloadAt = wire.length - WIDTH * 4;
    ByteBuffer network = ByteBuffer.allocateDirect(wire.length).put(wire).flip();
    List<ByteBuffer> frames = new ArrayList<>();
    int from = 0;
    for (int c = 1; c <= cuts; c++) {
      // Cuts inside the tensor, well away from its ends and from each other.
      int to = payloadAt + c * (WIDTH * 4) / (cuts + 1);
      frames.add(network.duplicate().position(from).limit(to).slice());
      from = to;
    }
    frames.add(network.duplicate().position(from).slice());
    Arrival a = new Arrival(network, payloadAt, new FrameStream(frames));
    a.submit();
    arrivals.add(a);
    return a;
  }

  /** One request: its network buffer, and what the marshaller and the decoder made of it. */
  private final class Arrival implements ResponseListener {
    final ByteBuffer network;
    final int payloadAt;
    final FrameStream stream;
    RequestMemory memory;
    Tensor decoded;
    ModelInferRequest parsed;

    Arrival(ByteBuffer network, int payloadAt, FrameStream stream) {
      this.network = network;
      this.payloadAt = payloadAt;
      this.stream = stream;
    }

    /** Parses as the transport does, claims the memory as the handler does, decodes, submits. */
    void submit() throws Exception {
      parsed = new AliasingMarshaller().parse(stream);
      ServerCall.Listener<ModelInferRequest> listener =
          RequestMemory.<ModelInferRequest, Object>holding(
                  (call, headers) ->
                      new ServerCall.Listener<>() {
                        @Override
                        public void onHalfClose() {
                          memory = RequestMemory.claim();
                        }
                      },
                  true)
              .startCall(new NoCall(), new Metadata());
      listener.onMessage(parsed);
      listener.onHalfClose();
      assertThat(memory).as("the request's network memory").isNotNull();
      InferenceRequest.Builder b = InferenceRequest.builder();
      decoded =
          new RequestDecoder(new SharedMemoryRegistry(shmRoot))
              .decode(parsed, IO, b)
              .inputs()
              .get(0);
      assertThat(scheduler.submit(b.listener(this).build())).isNull();
    }

    /** Copies from the network buffer to the decoded tensor: 0 when every segment shows it. */
    int copiesUpToDecoding() {
      long offset = 0;
      for (int s = 0; s < decoded.segmentCount(); s++) {
        if (!showsInPlace(decoded.segment(s), payloadAt + (int) offset)) {
          return 1;
        }
        offset += decoded.segment(s).remaining();
      }
      return 0;
    }

    /** Whether {@code view}'s first byte is the network buffer's byte at {@code at}. */
    boolean showsInPlace(ByteBuffer view, int at) {
      byte before = network.get(at);
      network.put(at, (byte) ~before);
      boolean shows = view.get(0) == (byte) ~before;
      network.put(at, before);
      return shows;
    }

    boolean showsInPlace(Tensor batchInput, int row) {
      return showsInPlace(batchInput.data().position(row * WIDTH * 4).slice(), payloadAt);
    }

    /** This request's row in the batch (its first value tells). */
    int row(Batch batch) {
      ByteBuffer data = batch.inputs().get(0).data();
      float mine = decoded.segment(0).getFloat(0);
      for (int r = 0; r < batch.size(); r++) {
        if (data.getFloat(r * WIDTH * 4) == mine) {
          return r;
        }
      }
      throw new AssertionError("request not in the batch");
    }

    @Override
    public void onSuccess(InferenceRequest request, List<Tensor> outputs) {}

    @Override
    public void onFailure(InferenceRequest request, InferenceError error) {}
  }

  /** Offers its own input memory and keeps every batch it ran, buffers untouched afterwards. */
  private static final class ProbingInstance implements ModelInstance {
    final List<Batch> batches = new CopyOnWriteArrayList<>();
    final Semaphore ran = new Semaphore(0);
    final Semaphore entered = new Semaphore(0);
    volatile CountDownLatch gate = new CountDownLatch(0);
    private int taken;

    void hold() {
      gate = new CountDownLatch(1);
    }

    void awaitEntered() throws InterruptedException {
      assertThat(entered.tryAcquire(10, TimeUnit.SECONDS)).as("execution started").isTrue();
    }

    Batch next() throws InterruptedException {
      assertThat(ran.tryAcquire(10, TimeUnit.SECONDS)).as("batch executed").isTrue();
      return batches.get(taken++);
    }

    @Override
    public InstancePlacement placement() {
      return InstancePlacement.cpu("probing");
    }

    @Override
    public ByteBuffer inputBuffer(String name, int bytes) {
      // A new buffer each time, so that an earlier batch's input stays as it was.
      return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public ExecutionResult execute(Batch batch) {
      entered.release();
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      batches.add(batch);
      ran.release();
      long now = System.nanoTime();
      Tensor out =
          new Tensor(
              "OUT",
              DataType.FP32,
              new long[] {batch.size(), WIDTH},
              ByteBuffer.allocate(batch.size() * WIDTH * 4));
      return new ExecutionResult(List.of(out), new ExecutionTimestamps(now, now, now, now));
    }

    @Override
    public void close() {}
  }
}
