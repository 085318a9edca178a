package io.tensorgate.server.codec;

import static io.tensorgate.server.Requests.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.tensorgate.server.repository.FuzzModels;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the request decoder tests share: Triton's 'simple', 'simple_string' and a mixed signature, a
 * decoder over a shared-memory registry with two regions, and request builders.
 */
abstract class RequestDecoderTestBase {
  static final ModelIo SIMPLE = FuzzModels.io(FuzzModels.SIMPLE);
  static final ModelIo STRING = FuzzModels.io(FuzzModels.STRING);
  static final ModelIo MIXED = FuzzModels.io(FuzzModels.MIXED);

  @TempDir static Path shmRoot;

  static RequestDecoder decoder;

  /** Region {@code r} maps 256 bytes, INT32 values 0..63; region {@code zeros} 64 zero bytes. */
  @BeforeAll
  static void setUp() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 64; i++) {
      b.putInt(i);
    }
    Files.write(shmRoot.resolve("region"), b.array());
    SharedMemoryRegistry shm = new SharedMemoryRegistry(shmRoot);
    shm.register("r", "/region", 0, 256);
    Files.write(shmRoot.resolve("zeros"), new byte[64]);
    shm.register("zeros", "/zeros", 0, 64);
    decoder = new RequestDecoder(shm);
  }

  static DecodedRequest decode(ModelInferRequest r, ModelIo io) throws InferenceException {
    return decoder.decode(r, io, InferenceRequest.builder());
  }

  static void assertRefused(ModelInferRequest r, ModelIo io, String message) {
    assertThatThrownBy(() -> decode(r, io))
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining(message);
  }

  static InferParameter int64(long v) {
    return InferParameter.newBuilder().setInt64Param(v).build();
  }

  static InferParameter string(String v) {
    return InferParameter.newBuilder().setStringParam(v).build();
  }

  static InferRequestedOutputTensor output(String name) {
    return InferRequestedOutputTensor.newBuilder().setName(name).build();
  }

  static InferRequestedOutputTensor classified(String name, long n) {
    return output(name).toBuilder().putParameters("classification", int64(n)).build();
  }

  static InferRequestedOutputTensor inShm(String name, String region, long size) {
    return output(name).toBuilder()
        .putParameters("shared_memory_region", string(region))
        .putParameters("shared_memory_byte_size", int64(size))
        .build();
  }

  static InferInputTensor shmInput(String name, String type, long offset, long size) {
    return input(name, type, 1, 16).toBuilder()
        .putParameters("shared_memory_region", string("r"))
        .putParameters("shared_memory_offset", int64(offset))
        .putParameters("shared_memory_byte_size", int64(size))
        .build();
  }

  static int[] ints(Tensor t) {
    ByteBuffer b = t.data();
    int[] out = new int[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getInt();
    }
    return out;
  }
}
