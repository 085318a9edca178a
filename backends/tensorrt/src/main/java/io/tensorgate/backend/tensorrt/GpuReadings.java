package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.GpuMonitor.Reading;
import java.nio.charset.StandardCharsets;

/** Builds {@link Reading}s from NVML's raw values. */
final class GpuReadings {
  private GpuReadings() {}

  /**
   * @param uuid NVML's NUL-terminated UUID buffer
   * @param name NVML's NUL-terminated name buffer
   * @param utilizationPercent NVML's {@code nvmlUtilization_t.gpu}, 0 to 100
   */
  static Reading reading(
      int index, byte[] uuid, byte[] name, long used, long total, int utilizationPercent) {
    double utilization = Math.max(0, Math.min(100, utilizationPercent)) / 100.0;
    return new Reading(index, cString(uuid), cString(name), used, total, utilization);
  }

  /** The text before the first NUL byte (or all of it), decoded as UTF-8. */
  static String cString(byte[] bytes) {
    int end = 0;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }
}
