package io.tensorgate.server.drift;

import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelParameter;
import java.util.Map;

/**
 * A model's drift settings, from {@code config.pbtxt} parameters. A model monitors drift when it
 * sets {@code drift_sample_rate} above 0; every other key has a default.
 *
 * @param sampleRate fraction of successful requests sampled (0, 1]
 * @param windowRequests the live window holds at most this many sampled requests
 * @param windowSeconds ... and none older than this
 * @param referenceRequests without a reference file, the first this many sampled requests become
 *     the reference
 * @param bins bins per numeric feature (categories kept per BYTES feature: twice as many) when the
 *     reference is captured
 * @param psiThreshold drift when PSI exceeds this
 * @param klThreshold drift when KL(window || reference) exceeds this
 * @param ksThreshold drift when the (binned) KS statistic exceeds this
 * @param minWindowRequests no verdict before the window holds this many requests
 * @param maxValues values read per tensor per sampled request
 */
record DriftConfig(
    double sampleRate,
    int windowRequests,
    long windowSeconds,
    int referenceRequests,
    int bins,
    double psiThreshold,
    double klThreshold,
    double ksThreshold,
    int minWindowRequests,
    int maxValues) {
  static final String SAMPLE_RATE = "drift_sample_rate";

  /**
   * The model's settings, or {@code null} when it does not monitor drift.
   *
   * @throws IllegalArgumentException naming the parameter with a bad value
   */
  static DriftConfig from(ModelConfig config) {
    Map<String, ModelParameter> p = config.getParametersMap();
    if (!p.containsKey(SAMPLE_RATE)) {
      return null;
    }
    double rate = real(p, SAMPLE_RATE, 0, 0, 1);
    if (rate == 0) {
      return null;
    }
    DriftConfig c =
        new DriftConfig(
            rate,
            (int) whole(p, "drift_window_size", 500, 1, 1_000_000),
            whole(p, "drift_window_seconds", 600, 1, 86_400 * 30L),
            (int) whole(p, "drift_reference_requests", 500, 1, 1_000_000),
            (int) whole(p, "drift_bins", 10, 2, 100),
            real(p, "drift_psi_threshold", 0.2, 0, Double.MAX_VALUE),
            real(p, "drift_kl_threshold", 0.1, 0, Double.MAX_VALUE),
            real(p, "drift_ks_threshold", 0.2, 0, 1),
            (int) whole(p, "drift_min_window_requests", 100, 1, 1_000_000),
            (int) whole(p, "drift_max_values", 256, 1, 1 << 20));
    if (c.minWindowRequests > c.windowRequests) {
      throw new IllegalArgumentException(
          "drift_min_window_requests ("
              + c.minWindowRequests
              + ") must not exceed drift_window_size ("
              + c.windowRequests
              + ")");
    }
    return c;
  }

  private static double real(
      Map<String, ModelParameter> p, String key, double dflt, double min, double max) {
    ModelParameter v = p.get(key);
    if (v == null) {
      return dflt;
    }
    double d;
    try {
      d = Double.parseDouble(v.getStringValue().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + " must be a number, got '" + v.getStringValue() + "'");
    }
    if (!(d >= min && d <= max)) {
      throw new IllegalArgumentException(
          key + " must be in [" + min + ", " + max + "], got " + v.getStringValue());
    }
    return d;
  }

  private static long whole(
      Map<String, ModelParameter> p, String key, long dflt, long min, long max) {
    ModelParameter v = p.get(key);
    if (v == null) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.getStringValue().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + " must be a whole number, got '" + v.getStringValue() + "'");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          key + " must be in [" + min + ", " + max + "], got " + v.getStringValue());
    }
    return n;
  }
}
