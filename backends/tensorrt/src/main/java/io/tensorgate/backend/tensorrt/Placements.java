package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.InstancePlacement;

/** Where a TensorRT instance runs: a GPU of this host, never the CPU. */
final class Placements {
  private Placements() {}

  /**
   * The CUDA device for an instance: the placement's GPU, or device 0 for {@code KIND_MODEL}.
   *
   * @throws BackendException for a CPU placement, or a device this host does not have
   */
  static int deviceFor(String model, InstancePlacement placement, int deviceCount)
      throws BackendException {
    int device =
        switch (placement.kind()) {
          case GPU -> placement.deviceId();
          case MODEL -> 0;
          case CPU ->
              throw new BackendException(
                  "instance '"
                      + placement.name()
                      + "' of model '"
                      + model
                      + "' is KIND_CPU, but TensorRT engines run on GPUs only; use KIND_GPU");
        };
    if (device < 0 || device >= deviceCount) {
      throw new BackendException(
          "instance '"
              + placement.name()
              + "' of model '"
              + model
              + "' asks for GPU "
              + device
              + ", but this host has "
              + deviceCount
              + " CUDA device"
              + (deviceCount == 1 ? "" : "s")
              + (deviceCount > 0 ? " (0.." + (deviceCount - 1) + ")" : ""));
    }
    return device;
  }
}
