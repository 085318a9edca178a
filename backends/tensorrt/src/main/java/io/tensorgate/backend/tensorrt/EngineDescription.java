package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelSignature;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a deserialized engine declares, copied out of TensorRT into plain Java: its I/O tensors in
 * the engine's order and its optimization profiles. Everything the backend decides from engine
 * metadata (signature, configuration checks, profile choice) works on this, so that it is tested
 * without a GPU. Immutable.
 */
final class EngineDescription {
  private final List<EngineTensor> tensors;
  private final List<OptimizationProfile> profiles;

  EngineDescription(List<EngineTensor> tensors, List<OptimizationProfile> profiles) {
    this.tensors = List.copyOf(Objects.requireNonNull(tensors, "tensors"));
    this.profiles = List.copyOf(Objects.requireNonNull(profiles, "profiles"));
  }

  /** Every I/O tensor, in the engine's order. */
  List<EngineTensor> tensors() {
    return tensors;
  }

  /** A tensor's index in the engine's order, or -1. */
  int indexOf(String name) {
    for (int i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  List<EngineTensor> inputs() {
    return tensors.stream().filter(EngineTensor::isInput).toList();
  }

  List<EngineTensor> outputs() {
    return tensors.stream().filter(t -> !t.isInput()).toList();
  }

  List<OptimizationProfile> profiles() {
    return profiles;
  }

  /** The tensor of that name, or {@code null}. */
  EngineTensor find(String name) {
    for (EngineTensor t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /**
   * The engine's inputs and outputs as a {@link ModelSignature}: full shapes, -1 for dynamic
   * dimensions.
   *
   * @throws BackendException naming the first tensor that Tensorgate cannot serve: a type without a
   *     Triton datatype, a vectorized (non-linear) format, or a host-side shape tensor
   */
  ModelSignature signature(Path engineFile) throws BackendException {
    List<TensorSpec> in = new ArrayList<>();
    List<TensorSpec> out = new ArrayList<>();
    for (EngineTensor t : tensors) {
      DataType type = servable(t, engineFile);
      (t.isInput() ? in : out).add(new TensorSpec(t.name(), type, t.shape()));
    }
    return new ModelSignature(in, out);
  }

  private static DataType servable(EngineTensor t, Path engineFile) throws BackendException {
    DataType type = t.dataType();
    String role = t.isInput() ? "input" : "output";
    if (type == null) {
      throw new BackendException(
          role
              + " '"
              + t.name()
              + "' of "
              + engineFile
              + " has TensorRT type "
              + TrtDataTypes.name(t.trtType())
              + ", which has no Triton datatype");
    }
    if (!t.isLinear()) {
      throw new BackendException(
          role
              + " '"
              + t.name()
              + "' of "
              + engineFile
              + " uses a vectorized memory format; the TensorRT backend serves linear (row-major)"
              + " I/O tensors only: build the engine with linear I/O formats");
    }
    if (!t.isOnDevice()) {
      throw new BackendException(
          role
              + " '"
              + t.name()
              + "' of "
              + engineFile
              + " is a host shape tensor, which the TensorRT backend does not serve");
    }
    return type;
  }
}
