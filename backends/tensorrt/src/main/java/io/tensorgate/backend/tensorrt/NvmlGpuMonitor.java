package io.tensorgate.backend.tensorrt;

import static org.bytedeco.cuda.global.nvml.NVML_DEVICE_NAME_V2_BUFFER_SIZE;
import static org.bytedeco.cuda.global.nvml.NVML_DEVICE_UUID_V2_BUFFER_SIZE;
import static org.bytedeco.cuda.global.nvml.nvmlDeviceGetCount_v2;
import static org.bytedeco.cuda.global.nvml.nvmlDeviceGetHandleByIndex_v2;
import static org.bytedeco.cuda.global.nvml.nvmlDeviceGetMemoryInfo;
import static org.bytedeco.cuda.global.nvml.nvmlDeviceGetName;
import static org.bytedeco.cuda.global.nvml.nvmlDeviceGetUUID;
import static org.bytedeco.cuda.global.nvml.nvmlDeviceGetUtilizationRates;
import static org.bytedeco.cuda.global.nvml.nvmlErrorString;
import static org.bytedeco.cuda.global.nvml.nvmlInit_v2;
import static org.bytedeco.cuda.global.nvml.nvmlShutdown;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.tensorgate.backend.BackendProvider.Availability;
import io.tensorgate.backend.GpuMonitor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.bytedeco.cuda.global.nvml;
import org.bytedeco.cuda.nvml.nvmlDevice_st;
import org.bytedeco.cuda.nvml.nvmlMemory_t;
import org.bytedeco.cuda.nvml.nvmlUtilization_t;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

/**
 * GPU readings from NVML ({@code libnvidia-ml.so.1}, installed with the NVIDIA driver). NVML is
 * loaded and initialized on the first call that needs it and shut down by {@link #close()}.
 *
 * <p>Threading: NVML is thread-safe; the lock only guards initialization and shutdown.
 */
final class NvmlGpuMonitor implements GpuMonitor {
  private final Supplier<NativeProbe.Result> probe;
  private final Object lock = new Object();

  // Null until the first call.
  @GuardedBy("lock")
  private Availability availability;

  @GuardedBy("lock")
  private boolean closed;

  /**
   * @param probe the CUDA runtime's availability: JavaCPP's NVML bindings load the CUDA runtime's
   *     bindings first, so when those failed, that failure is the reason
   */
  NvmlGpuMonitor(Supplier<NativeProbe.Result> probe) {
    this.probe = Objects.requireNonNull(probe, "probe");
  }

  @Override
  public Availability availability() {
    synchronized (lock) {
      if (availability == null) {
        availability = init();
      }
      return availability;
    }
  }

  private Availability init() {
    Availability cuda = probe.get().cuda();
    try {
      Loader.load(nvml.class);
    } catch (LinkageError | RuntimeException e) {
      return Availability.no(
          cuda.available()
              ? "NVML did not load: " + LoadFailures.describe(e)
              : "NVML did not load (JavaCPP binds it after the CUDA runtime): " + cuda.reason());
    }
    int status = nvmlInit_v2();
    if (status != 0) {
      return Availability.no("NVML did not initialize: " + error(status));
    }
    return Availability.yes();
  }

  @Override
  public List<Reading> read() {
    synchronized (lock) {
      if (closed || !availability().available()) {
        return List.of();
      }
    }
    int[] count = new int[1];
    if (nvmlDeviceGetCount_v2(count) != 0) {
      return List.of();
    }
    List<Reading> readings = new ArrayList<>(count[0]);
    byte[] uuid = new byte[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
    byte[] name = new byte[NVML_DEVICE_NAME_V2_BUFFER_SIZE];
    for (int i = 0; i < count[0]; i++) {
      try (nvmlDevice_st device = new nvmlDevice_st();
          nvmlMemory_t memory = new nvmlMemory_t();
          nvmlUtilization_t utilization = new nvmlUtilization_t()) {
        if (nvmlDeviceGetHandleByIndex_v2(i, device) == 0
            && nvmlDeviceGetUUID(device, uuid, uuid.length) == 0
            && nvmlDeviceGetName(device, name, name.length) == 0
            && nvmlDeviceGetMemoryInfo(device, memory) == 0
            && nvmlDeviceGetUtilizationRates(device, utilization) == 0) {
          readings.add(
              GpuReadings.reading(i, uuid, name, memory.used(), memory.total(), utilization.gpu()));
        }
      }
    }
    return readings;
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (!closed && availability != null && availability.available()) {
        nvmlShutdown();
      }
      closed = true;
    }
  }

  private static String error(int status) {
    BytePointer text = nvmlErrorString(status);
    return (text == null ? "unknown NVML error" : text.getString())
        + " (nvmlReturn "
        + status
        + ")";
  }
}
