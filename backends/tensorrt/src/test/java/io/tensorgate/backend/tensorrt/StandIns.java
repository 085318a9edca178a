package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendProvider.Availability;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.Tensor;
import io.tensorgate.backend.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A provider on {@link CudaStandIn} and {@link TensorRtStandIn} with one journal, and what tests
 * read from it.
 */
final class StandIns {
  private static final List<String> CREATIONS =
      List.of("createInferRuntime", "deserialize", "createExecutionContext");

  final List<String> journal = Collections.synchronizedList(new ArrayList<>());
  final CudaStandIn cuda = new CudaStandIn(journal);
  final TensorRtStandIn tensorRt = new TensorRtStandIn(journal, cuda);

  /** A provider whose CUDA sees {@code devices} GPUs and whose TensorRT loads. */
  TensorRtBackendProvider provider(Path planCache, int devices) {
    return new TensorRtBackendProvider(
        () -> new NativeProbe.Result(Availability.yes(), Availability.yes(), devices),
        () -> new TrtNatives(cuda, tensorRt),
        planCache);
  }

  /** The journal so far. */
  List<String> lines() {
    synchronized (journal) {
      return List.copyOf(journal);
    }
  }

  /** The journal from line {@code from} on. */
  List<String> linesFrom(int from) {
    List<String> all = lines();
    return all.subList(Math.min(from, all.size()), all.size());
  }

  /** The TensorRT objects' creations and releases, in order. */
  List<String> lifecycle() {
    return lines().stream()
        .filter(l -> l.startsWith("release ") || CREATIONS.stream().anyMatch(l::startsWith))
        .toList();
  }

  /**
   * How often each object made (TensorRT runtime, engine, context; CUDA stream, event, host and
   * device buffer) was released, by its name; a release of an object never made counts under {@code
   * "unknown <name>"}.
   */
  Map<String, Integer> releasesPerObject() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String line : lines()) {
      int arrow = line.indexOf(" -> ");
      if (arrow > 0 && !line.startsWith("cudaMemcpyAsync")) {
        counts.put(line.substring(arrow + 4), 0);
      }
    }
    for (String line : lines()) {
      String released = released(line);
      if (released != null) {
        counts.merge(
            counts.containsKey(released) ? released : "unknown " + released, 1, Integer::sum);
      }
    }
    return counts;
  }

  private static String released(String line) {
    for (String prefix :
        new String[] {
          "release ", "cudaStreamDestroy ", "cudaEventDestroy ", "cudaFreeHost ", "cudaFree "
        }) {
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length());
      }
    }
    return null;
  }

  static InstancePlacement gpu(int device) {
    return new InstancePlacement("m_0_gpu" + device, InstancePlacement.Kind.GPU, device);
  }

  /** The configuration matching {@link FakeEngines#dynamicBatch()} for the model file given. */
  static ModelDefinition definition(Path modelFile, int maxBatchSize) {
    return definition(modelFile, maxBatchSize, Map.of());
  }

  static ModelDefinition definition(
      Path modelFile, int maxBatchSize, Map<String, String> parameters) {
    return new ModelDefinition(
        "m",
        1,
        "tensorrt_plan",
        modelFile.getParent(),
        modelFile,
        maxBatchSize,
        List.of(new TensorSpec("INPUT0", DataType.FP32, new long[] {4})),
        List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {4})),
        parameters);
  }

  static Tensor fp32(String name, long[] shape, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new Tensor(name, DataType.FP32, shape, b);
  }

  static float[] floats(Tensor t) {
    float[] out = new float[t.byteSize() / 4];
    t.data().asFloatBuffer().get(out);
    return out;
  }
}
