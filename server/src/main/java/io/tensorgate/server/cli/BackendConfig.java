package io.tensorgate.server.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Triton's {@code --backend-config=[<backend>,]<setting>=<value>} flags. The one setting with a
 * meaning here is {@code default-max-batch-size}, globally or for one backend; any other setting is
 * refused by name rather than ignored.
 */
record BackendConfig(Optional<Integer> defaultMaxBatchSize, Map<String, Integer> perBackend) {
  static final String DEFAULT_MAX_BATCH_SIZE = "default-max-batch-size";

  /** The backends of this server, as {@code --backend-config} names them. */
  static final List<String> BACKENDS = List.of("onnxruntime", "tensorrt");

  /**
   * @throws IllegalArgumentException naming the setting that is malformed or not supported
   */
  static BackendConfig parse(List<String> flags) {
    Integer global = null;
    Map<String, Integer> perBackend = new HashMap<>();
    for (String flag : flags) {
      int eq = flag.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--backend-config option format is '<backend name>,<setting>=<value>' or"
                + " '<setting>=<value>'. Got "
                + flag);
      }
      String head = flag.substring(0, eq);
      String value = flag.substring(eq + 1);
      int comma = head.indexOf(',');
      String backend = comma < 0 ? "" : head.substring(0, comma);
      String setting = comma < 0 ? head : head.substring(comma + 1);
      if (!backend.isEmpty() && !BACKENDS.contains(backend)) {
        throw new IllegalArgumentException(
            "--backend-config="
                + flag
                + ": no backend '"
                + backend
                + "' here; backends: "
                + BACKENDS);
      }
      if (!setting.equals(DEFAULT_MAX_BATCH_SIZE)) {
        throw new IllegalArgumentException(
            "--backend-config="
                + flag
                + ": setting '"
                + setting
                + "' is not supported; only "
                + DEFAULT_MAX_BATCH_SIZE
                + " is");
      }
      int size;
      try {
        size = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        size = -1;
      }
      if (size < 0) {
        throw new IllegalArgumentException(
            "--backend-config="
                + flag
                + ": "
                + DEFAULT_MAX_BATCH_SIZE
                + " must be a whole number >= 0");
      }
      if (backend.isEmpty()) {
        global = size;
      } else {
        perBackend.put(backend, size);
      }
    }
    return new BackendConfig(Optional.ofNullable(global), Map.copyOf(perBackend));
  }
}
