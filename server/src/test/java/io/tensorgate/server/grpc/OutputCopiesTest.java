package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.codec.ResponseEncoder;
import io.tensorgate.server.repository.FuzzModels;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counts the copies of an output tensor's bytes from the buffer the backend answered with (or the
 * scheduler's slice of it) to the response message: none, the message wraps the buffer
 * (UnsafeByteOperations), which the response owns once the instance returned it. A copy shows as a
 * change to the backend's buffer after encoding that the message does not see.
 */
class OutputCopiesTest {
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

  private ModelInferResponse encode(Tensor output) throws Exception {
    SharedMemoryRegistry shm = new SharedMemoryRegistry(shmRoot);
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName("wide")
            .addInputs(
                InferInputTensor.newBuilder()
                    .setName("IN")
                    .setDatatype("FP32")
                    .addShape(1)
                    .addShape(WIDTH))
            .addRawInputContents(com.google.protobuf.ByteString.copyFrom(new byte[WIDTH * 4]))
            .build();
    DecodedRequest decoded =
        new RequestDecoder(shm).decode(request, IO, InferenceRequest.builder());
    return new ResponseEncoder(shm).encode(decoded, IO, "1", List.of(output));
  }

  private static Tensor output(ByteBuffer data) {
    return new Tensor("OUT", DataType.FP32, new long[] {1, WIDTH}, data);
  }

  private static ByteBuffer filled(ByteBuffer b, float value) {
    b.order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < b.capacity() / 4; i++) {
      b.putFloat(i * 4, value);
    }
    return b;
  }

  @Test
  void shouldWrapTheBackendsDirectBufferWithoutCopyingWhenEncoding() throws Exception {
    ByteBuffer backend = filled(ByteBuffer.allocateDirect(WIDTH * 4), 1f);

    ModelInferResponse response = encode(output(backend));
    filled(backend, 2f);

    ByteBuffer raw = response.getRawOutputContents(0).asReadOnlyByteBuffer();
    assertThat(raw.remaining()).isEqualTo(WIDTH * 4);
    assertThat(raw.order(ByteOrder.LITTLE_ENDIAN).getFloat(17 * 4)).isEqualTo(2f);
  }

  @Test
  void shouldWrapARowSliceOfABatchOutputWithoutCopyingWhenEncoding() throws Exception {
    // The scheduler answers each request of a batch with a slice of the batch's output.
    ByteBuffer batch = filled(ByteBuffer.allocateDirect(3 * WIDTH * 4), 1f);
    ByteBuffer row = batch.duplicate().position(WIDTH * 4).limit(2 * WIDTH * 4).slice();

    ModelInferResponse response = encode(output(row));
    batch.order(ByteOrder.LITTLE_ENDIAN).putFloat(WIDTH * 4 + 5 * 4, 7f);

    ByteBuffer raw =
        response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(raw.remaining()).isEqualTo(WIDTH * 4);
    assertThat(raw.getFloat(5 * 4)).isEqualTo(7f);
    assertThat(raw.getFloat(6 * 4)).isEqualTo(1f);
  }
}
