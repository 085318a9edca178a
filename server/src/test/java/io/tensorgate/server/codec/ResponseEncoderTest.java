package io.tensorgate.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.repository.FuzzModels;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponseEncoderTest {
  private static final ModelIo SIMPLE = FuzzModels.io(FuzzModels.SIMPLE);
  private static final ModelIo MIXED = FuzzModels.io(FuzzModels.MIXED);

  @TempDir Path shmRoot;

  private SharedMemoryRegistry shm;
  private ResponseEncoder encoder;

  @BeforeEach
  void setUp() throws Exception {
    Files.write(shmRoot.resolve("out"), new byte[128]);
    shm = new SharedMemoryRegistry(shmRoot);
    shm.register("out", "/out", 0, 128);
    encoder = new ResponseEncoder(shm);
  }

  private static DecodedRequest decoded(OutputOptions[] options) {
    return new DecodedRequest("id-7", List.of(), List.of(), options, 1, 0, 0, null);
  }

  private static Tensor int32(String name, long[] shape, int... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return new Tensor(name, DataType.INT32, shape, b.flip());
  }

  private static Tensor fp32(String name, long[] shape, float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return new Tensor(name, DataType.FP32, shape, b.flip());
  }

  @Test
  void shouldWrapRawOutputsWithNameShapeAndVersionWhenNoOptions() throws Exception {
    Tensor out = int32("OUTPUT1", new long[] {1, 2}, 3, 4);

    ModelInferResponse r = encoder.encode(decoded(null), SIMPLE, "5", List.of(out));

    assertThat(r.getModelName()).isEqualTo("simple");
    assertThat(r.getModelVersion()).isEqualTo("5");
    assertThat(r.getId()).isEqualTo("id-7");
    assertThat(r.getOutputs(0).getName()).isEqualTo("OUTPUT1");
    assertThat(r.getOutputs(0).getDatatype()).isEqualTo("INT32");
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L, 2L);
    assertThat(Requests.readInt32s(r.getRawOutputContents(0))).containsExactly(3, 4);
  }

  @Test
  void shouldClassifyEachBatchRowWhenTheOutputAsksForClasses() throws Exception {
    OutputOptions[] o = {new OutputOptions(2, null, 0, 0), null};
    Tensor out = int32("OUTPUT0", new long[] {2, 3}, 1, 9, 5, 7, 2, 8);

    ModelInferResponse r = encoder.encode(decoded(o), SIMPLE, "1", List.of(out));

    assertThat(r.getOutputs(0).getDatatype()).isEqualTo("BYTES");
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(2L, 2L);
    assertThat(r.getRawOutputContents(0).toStringUtf8()).contains("9:1", "5:2", "8:2", "7:0");
  }

  @Test
  void shouldClassifyAScalarShapedOutputAsOneRowWhenTheModelBatches() throws Exception {
    OutputOptions[] o = {new OutputOptions(1, null, 0, 0), null};
    Tensor out = int32("OUTPUT0", new long[] {}, 4, 6);

    ModelInferResponse r = encoder.encode(decoded(o), SIMPLE, "1", List.of(out));

    assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L);
    assertThat(r.getRawOutputContents(0).toStringUtf8()).endsWith("6:1");
  }

  @Test
  void shouldClassifyTheWholeTensorAsOneRowWhenTheModelDoesNotBatch() throws Exception {
    OutputOptions[] o = {null, new OutputOptions(1, null, 0, 0)};
    Tensor out = fp32("SCORES", new long[] {4}, 0.1f, 0.4f, 0.3f, 0.2f);

    ModelInferResponse r = encoder.encode(decoded(o), MIXED, "1", List.of(out));

    assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L);
    assertThat(r.getRawOutputContents(0).toStringUtf8()).endsWith("0.400000:1");
  }

  @Test
  void shouldPassAnOutputThroughWhenOnlyAnotherOutputHasOptions() throws Exception {
    OutputOptions[] o = {new OutputOptions(1, null, 0, 0), null};
    Tensor out = int32("OUTPUT1", new long[] {1, 2}, 3, 4);

    ModelInferResponse r = encoder.encode(decoded(o), SIMPLE, "1", List.of(out));

    assertThat(r.getOutputs(0).getDatatype()).isEqualTo("INT32");
    assertThat(Requests.readInt32s(r.getRawOutputContents(0))).containsExactly(3, 4);
  }

  @Test
  void shouldPassAnOutputThroughWhenTheModelDoesNotDeclareIt() throws Exception {
    OutputOptions[] o = {new OutputOptions(1, null, 0, 0), null};
    Tensor out = int32("EXTRA", new long[] {1}, 3);

    ModelInferResponse r = encoder.encode(decoded(o), SIMPLE, "1", List.of(out));

    assertThat(Requests.readInt32s(r.getRawOutputContents(0))).containsExactly(3);
  }

  @Test
  void shouldWriteIntoTheRegionAndLeaveRawEmptyWhenTheOutputGoesToSharedMemory() throws Exception {
    OutputOptions[] o = {null, new OutputOptions(0, "out", 8, 16)};
    Tensor out = int32("OUTPUT1", new long[] {1, 2}, 11, 12);

    ModelInferResponse r = encoder.encode(decoded(o), SIMPLE, "1", List.of(out));

    assertThat(r.getRawOutputContents(0).isEmpty()).isTrue();
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L, 2L);
    ByteBuffer region = shm.read("out", 8, 8);
    assertThat(region.getInt()).isEqualTo(11);
    assertThat(region.getInt()).isEqualTo(12);
  }

  @Test
  void shouldWriteWhenTheOutputFillsTheRegionSliceExactly() throws Exception {
    OutputOptions[] o = {null, new OutputOptions(0, "out", 0, 8)};

    encoder.encode(decoded(o), SIMPLE, "1", List.of(int32("OUTPUT1", new long[] {1, 2}, 1, 2)));

    assertThat(shm.read("out", 4, 4).getInt()).isEqualTo(2);
  }

  @Test
  void shouldRefuseWhenTheOutputIsLargerThanTheRegionSlice() {
    OutputOptions[] o = {null, new OutputOptions(0, "out", 0, 4)};
    Tensor out = int32("OUTPUT1", new long[] {1, 2}, 1, 2);

    assertThatThrownBy(() -> encoder.encode(decoded(o), SIMPLE, "1", List.of(out)))
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessage(
            "shared memory size specified with the request for output 'OUTPUT1' (4 bytes) should"
                + " be at least 8 bytes to hold the results");
  }

  @Test
  void shouldRefuseWhenTheSliceRunsPastTheRegion() {
    OutputOptions[] o = {null, new OutputOptions(0, "out", 120, 16)};
    Tensor out = int32("OUTPUT1", new long[] {1, 2}, 1, 2);

    assertThatThrownBy(() -> encoder.encode(decoded(o), SIMPLE, "1", List.of(out)))
        .isInstanceOf(InferenceException.class);
  }
}
