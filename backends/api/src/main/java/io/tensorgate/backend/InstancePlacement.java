package io.tensorgate.backend;

import java.util.Objects;

/**
 * Where one model instance runs: its kind of device, the device id (GPU ordinal, or -1 for the CPU)
 * and a name unique within the model version, e.g. {@code "simple_0_1"}.
 */
public record InstancePlacement(String name, Kind kind, int deviceId) {
  /** The device kinds of Triton's instance groups. */
  public enum Kind {
    CPU,
    GPU,
    /** The model places itself (Triton's KIND_MODEL). */
    MODEL
  }

  public InstancePlacement {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
  }

  /** A CPU instance. */
  public static InstancePlacement cpu(String name) {
    return new InstancePlacement(name, Kind.CPU, -1);
  }
}
