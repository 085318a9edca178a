package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Engine descriptions and definitions made up in Java, standing in for real engines. */
final class FakeEngines {
  static final Path FILE = Path.of("/models/m/1/model.plan");

  private FakeEngines() {}

  static EngineTensor input(String name, int trtType, long... shape) {
    return new EngineTensor(name, true, trtType, shape, true, true);
  }

  static EngineTensor output(String name, int trtType, long... shape) {
    return new EngineTensor(name, false, trtType, shape, true, true);
  }

  static ShapeRange range(long[] min, long[] max) {
    return new ShapeRange(min, min, max);
  }

  /** INPUT0 FP32 [-1,4] -> OUTPUT0 FP32 [-1,4], one profile accepting batch 1..8. */
  static EngineDescription dynamicBatch() {
    return dynamicBatch(1, 8);
  }

  static EngineDescription dynamicBatch(long minBatch, long maxBatch) {
    return new EngineDescription(
        List.of(
            input("INPUT0", TrtDataTypes.FLOAT, -1, 4),
            output("OUTPUT0", TrtDataTypes.FLOAT, -1, 4)),
        List.of(
            new OptimizationProfile(
                0, Map.of("INPUT0", range(new long[] {minBatch, 4}, new long[] {maxBatch, 4})))));
  }

  /**
   * INPUT0 FP32 [-1,-1] -> OUTPUT0 FP32 [-1,-1], one profile per range given as {min batch, min
   * width, max batch, max width}.
   */
  static EngineDescription dynamic(long[]... profiles) {
    List<OptimizationProfile> ps = new java.util.ArrayList<>();
    for (long[] p : profiles) {
      ps.add(
          new OptimizationProfile(
              ps.size(),
              Map.of("INPUT0", range(new long[] {p[0], p[1]}, new long[] {p[2], p[3]}))));
    }
    return new EngineDescription(
        List.of(
            input("INPUT0", TrtDataTypes.FLOAT, -1, -1),
            output("OUTPUT0", TrtDataTypes.FLOAT, -1, -1)),
        ps);
  }

  static ModelDefinition definition(int maxBatchSize, List<TensorSpec> in, List<TensorSpec> out) {
    return new ModelDefinition(
        "m", 1, "tensorrt_plan", FILE.getParent(), FILE, maxBatchSize, in, out, Map.of());
  }

  /** The configuration that matches {@link #dynamicBatch()}. */
  static ModelDefinition batchingDefinition(int maxBatchSize) {
    return definition(
        maxBatchSize,
        List.of(spec("INPUT0", DataType.FP32, 4)),
        List.of(spec("OUTPUT0", DataType.FP32, 4)));
  }

  static TensorSpec spec(String name, DataType type, long... dims) {
    return new TensorSpec(name, type, dims);
  }
}
