package io.tensorgate.backend;

import io.tensorgate.backend.BackendProvider.Availability;
import java.util.List;
import java.util.Objects;

/**
 * Reads the state of this host's GPUs (NVIDIA's NVML), for metrics with Triton's names: {@code
 * nv_gpu_memory_used_bytes}, {@code nv_gpu_memory_total_bytes} and {@code nv_gpu_utilization},
 * labelled by {@code gpu_uuid}. Offered by a backend that links CUDA, see {@link
 * BackendProvider#gpuMonitor()}.
 *
 * <p>Threading: thread-safe. Each {@link #read()} asks the driver afresh (a few microseconds per
 * device), so a metrics binder reads once per scrape rather than once per gauge.
 */
public interface GpuMonitor extends AutoCloseable {
  /** Whether readings can be taken here, and if not why (e.g. no NVIDIA driver). */
  Availability availability();

  /**
   * One reading per device, in device index order; empty when {@link #availability()} is no. A
   * device whose reading fails is left out of that reading rather than failing the others.
   */
  List<Reading> read();

  /** Releases the driver session; later {@link #read()} calls return an empty list. */
  @Override
  void close();

  /**
   * One device's state.
   *
   * @param index the device index as NVML numbers it
   * @param uuid the device UUID, e.g. {@code GPU-5fb1...}, Triton's {@code gpu_uuid} label
   * @param name the product name
   * @param memoryUsedBytes device memory in use
   * @param memoryTotalBytes device memory installed
   * @param utilization the fraction of the last sample period in which a kernel ran, 0.0 to 1.0
   */
  record Reading(
      int index,
      String uuid,
      String name,
      long memoryUsedBytes,
      long memoryTotalBytes,
      double utilization) {
    public Reading {
      Objects.requireNonNull(uuid, "uuid");
      Objects.requireNonNull(name, "name");
    }
  }
}
