package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Shapes;
import java.util.List;
import java.util.Map;

/**
 * The most bytes each I/O tensor of an engine needs in any of its optimization profiles, asked of a
 * new execution context: every profile's largest input shapes are set in turn and the output shapes
 * TensorRT infers for them are read. An instance sizes its staging buffers with this once, so that
 * batches never allocate. An output whose shape still has a -1 depends on input values, which the
 * backend does not serve.
 */
final class LargestShapes {
  /**
   * @param bytes per tensor, in the engine's I/O tensor order
   * @param profile the profile the context was left on
   */
  record Sizes(long[] bytes, int profile) {}

  private LargestShapes() {}

  /**
   * @throws BackendException when TensorRT refuses a profile or shape, or an output's shape is
   *     data-dependent
   */
  static Sizes measure(String model, EngineDescription d, TensorRt.Context context, long stream)
      throws BackendException {
    List<EngineTensor> tensors = d.tensors();
    long[] bytes = new long[tensors.size()];
    int current = 0;
    List<OptimizationProfile> profiles =
        d.profiles().isEmpty() ? List.of(new OptimizationProfile(0, Map.of())) : d.profiles();
    for (OptimizationProfile p : profiles) {
      if (p.index() != current) {
        if (!context.setProfile(p.index(), stream)) {
          throw new BackendException(
              "TensorRT could not switch to optimization profile "
                  + p.index()
                  + " of model '"
                  + model
                  + "'");
        }
        current = p.index();
      }
      for (int i = 0; i < tensors.size(); i++) {
        EngineTensor t = tensors.get(i);
        if (t.isInput()) {
          ShapeRange r = p.range(t.name());
          long[] largest = r != null ? r.max() : t.shape();
          if (!context.setInputShape(i, largest)) {
            throw new BackendException(
                "TensorRT refused the largest shape "
                    + Shapes.toString(largest)
                    + " of input '"
                    + t.name()
                    + "' in profile "
                    + p.index()
                    + " of model '"
                    + model
                    + "'");
          }
          bytes[i] = Math.max(bytes[i], Shapes.byteSize(t.dataType(), largest));
        }
      }
      for (int i = 0; i < tensors.size(); i++) {
        EngineTensor t = tensors.get(i);
        if (!t.isInput()) {
          long[] shape = context.shape(i);
          if (!resolved(shape)) {
            throw dataDependent(model, t.name(), shape);
          }
          bytes[i] = Math.max(bytes[i], Shapes.byteSize(t.dataType(), shape));
        }
      }
    }
    return new Sizes(bytes, current);
  }

  /** Whether a shape has no -1 left. */
  static boolean resolved(long[] shape) {
    for (long d : shape) {
      if (d < 0) {
        return false;
      }
    }
    return true;
  }

  static BackendException dataDependent(String model, String output, long[] shape) {
    return new BackendException(
        "output '"
            + output
            + "' of model '"
            + model
            + "' has a data-dependent shape "
            + Shapes.toString(shape)
            + ", which the TensorRT backend does not serve");
  }
}
