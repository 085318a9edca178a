package io.tensorgate.batching;

import io.tensorgate.backend.Tensor;
import java.util.List;
import java.util.Set;

/**
 * Which requests may share a batch: the same inputs, in the same order and types, with the same
 * shape apart from the batch dimension, except inputs that allow ragged batches; and either all
 * mirrored or none, so that each execution is counted or not as a whole.
 */
final class ShapeRule {
  private final boolean batching;
  private final Set<String> raggedInputs;

  ShapeRule(boolean batching, Set<String> raggedInputs) {
    this.batching = batching;
    this.raggedInputs = java.util.Objects.requireNonNull(raggedInputs, "raggedInputs");
  }

  boolean compatible(InferenceRequest first, InferenceRequest other) {
    if (first.mirrored() != other.mirrored()) {
      return false;
    }
    List<Tensor> a = first.inputs();
    List<Tensor> b = other.inputs();
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Tensor x = a.get(i);
      Tensor y = b.get(i);
      if (!x.name().equals(y.name()) || x.dataType() != y.dataType()) {
        return false;
      }
      if (!raggedInputs.isEmpty() && raggedInputs.contains(x.name())) {
        continue;
      }
      long[] xs = x.shape();
      long[] ys = y.shape();
      if (xs.length != ys.length) {
        return false;
      }
      for (int d = batching ? 1 : 0; d < xs.length; d++) {
        if (xs[d] != ys[d]) {
          return false;
        }
      }
    }
    return true;
  }
}
