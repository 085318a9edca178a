package io.tensorgate.backend.tensorrt;

import java.util.Objects;

/**
 * What a provider's models share: the CUDA and TensorRT seams, the engine cache, the ONNX plan
 * cache and the number of CUDA devices. Immutable.
 */
record TrtBackend(
    CudaRuntime cuda, TensorRt tensorRt, EngineCache engines, OnnxPlans plans, int deviceCount) {
  TrtBackend {
    Objects.requireNonNull(cuda, "cuda");
    Objects.requireNonNull(tensorRt, "tensorRt");
    Objects.requireNonNull(engines, "engines");
    Objects.requireNonNull(plans, "plans");
  }
}
