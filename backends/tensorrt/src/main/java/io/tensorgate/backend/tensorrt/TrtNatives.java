package io.tensorgate.backend.tensorrt;

import java.util.Objects;

/** The CUDA runtime and TensorRT a provider uses: the real ones, or stand-ins in tests. */
record TrtNatives(CudaRuntime cuda, TensorRt tensorRt) {
  TrtNatives {
    Objects.requireNonNull(cuda, "cuda");
    Objects.requireNonNull(tensorRt, "tensorRt");
  }
}
