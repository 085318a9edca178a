package io.tensorgate.backend.tensorrt;

import org.bytedeco.javacpp.Pointer;

/**
 * A JavaCPP pointer to a given address, owning nothing: the way to hand an address that TensorRT or
 * CUDA returned back to a JavaCPP call. Creating one allocates no native memory and registers no
 * deallocator. Mutable, so that a caller that passes many addresses can reuse one.
 */
final class NativeAddress extends Pointer {
  NativeAddress(long address) {
    this.address = address;
  }

  /** Points this at {@code address}; returns this. */
  NativeAddress at(long address) {
    this.address = address;
    return this;
  }
}
