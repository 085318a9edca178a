package io.tensorgate.server.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelInferResponse.InferOutputTensor;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * Builds the ModelInferResponse for a finished request: outputs as raw little-endian contents
 * (wrapped, not copied), or classified, or written into the client's shared-memory region (with an
 * empty raw entry, as Triton keeps one raw entry per output).
 */
public final class ResponseEncoder {
  private final SharedMemoryRegistry shm;

  public ResponseEncoder(SharedMemoryRegistry shm) {
    this.shm = Objects.requireNonNull(shm, "shm");
  }

  /**
   * @param outputs the request's outputs, in the order of {@code decoded.requestedOutputs()}
   */
  public ModelInferResponse encode(
      DecodedRequest decoded, ModelIo io, String versionString, List<Tensor> outputs)
      throws InferenceException {
    ModelInferResponse.Builder r =
        ModelInferResponse.newBuilder()
            .setModelName(io.modelName())
            .setModelVersion(versionString)
            .setId(decoded.id());
    OutputOptions[] options = decoded.outputOptions();
    for (Tensor t : outputs) {
      int idx = io.outputIndex(t.name());
      OutputOptions o = options == null || idx < 0 ? null : options[idx];
      InferOutputTensor.Builder out =
          r.addOutputsBuilder().setName(t.name()).setDatatype(t.dataType().wireName());
      long[] shape = t.shape();
      if (o != null && o.classification() > 0) {
        int rows = io.batching() && shape.length > 0 ? (int) shape[0] : 1;
        ByteBuffer classes =
            Classifier.classify(
                t.data(), t.dataType(), rows, o.classification(), io.labels(idx), t.name());
        out.setDatatype(DataType.BYTES.wireName());
        if (io.batching() && shape.length > 0) {
          out.addShape(shape[0]);
        }
        out.addShape(Classifier.classesPerRow(t.data(), t.dataType(), rows, o.classification()));
        r.addRawOutputContents(UnsafeByteOperations.unsafeWrap(classes));
        continue;
      }
      for (long d : shape) {
        out.addShape(d);
      }
      if (o != null && o.toSharedMemory()) {
        writeToSharedMemory(t, o);
        r.addRawOutputContents(ByteString.EMPTY);
      } else {
        r.addRawOutputContents(UnsafeByteOperations.unsafeWrap(t.data()));
      }
    }
    return r.build();
  }

  private void writeToSharedMemory(Tensor t, OutputOptions o) throws InferenceException {
    if (t.byteSize() > o.shmByteSize()) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "shared memory size specified with the request for output '"
              + t.name()
              + "' ("
              + o.shmByteSize()
              + " bytes) should be at least "
              + t.byteSize()
              + " bytes to hold the results");
    }
    shm.checkRange(o.shmRegion(), o.shmOffset(), o.shmByteSize());
    shm.write(o.shmRegion(), o.shmOffset(), t.data());
  }
}
