package io.tensorgate.server.drift;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A drift reference being captured from a version's first sampled requests (when it has no {@code
 * drift_reference.json}): the values seen per feature, at most {@link #MAX_VALUES} each, until
 * {@code referenceRequests} requests were taken, then binned into the reference.
 *
 * <p>Not thread-safe: its {@link VersionDrift} calls it under its own lock.
 */
final class ReferenceCapture {
  /** Captured values kept per feature. */
  static final int MAX_VALUES = 200_000;

  private final List<Feature> features;
  private final int referenceRequests;
  private final int bins;
  private final List<List<Object>> captured;
  private int requests;

  ReferenceCapture(List<Feature> features, int referenceRequests, int bins) {
    this.features = features;
    this.referenceRequests = referenceRequests;
    this.bins = bins;
    this.captured = new ArrayList<>(features.size());
    for (int i = 0; i < features.size(); i++) {
      captured.add(new ArrayList<>());
    }
  }

  /**
   * Takes the values of one request, one entry per feature ({@code double[]}, {@code String[]} or
   * null).
   *
   * @return true once enough requests were taken for {@link #reference()}
   */
  boolean add(Object[] values) {
    for (int i = 0; i < features.size(); i++) {
      Object v = values[i];
      List<Object> into = captured.get(i);
      if (v instanceof double[] d) {
        for (int k = 0; k < d.length && into.size() < MAX_VALUES; k++) {
          into.add(d[k]);
        }
      } else if (v instanceof String[] str) {
        for (int k = 0; k < str.length && into.size() < MAX_VALUES; k++) {
          into.add(str[k]);
        }
      }
    }
    return ++requests >= referenceRequests;
  }

  /** The requests taken so far. */
  int requests() {
    return requests;
  }

  /**
   * The binned reference of every feature that saw values, in feature order; empty when none did.
   */
  Map<Feature, Bins> reference() {
    Map<Feature, Bins> ref = new LinkedHashMap<>();
    for (int i = 0; i < features.size(); i++) {
      Feature f = features.get(i);
      List<Object> values = captured.get(i);
      if (values.isEmpty()) {
        continue;
      }
      if (f.categorical()) {
        List<String> strings = new ArrayList<>(values.size());
        values.forEach(o -> strings.add((String) o));
        ref.put(f, Bins.Categorical.capture(strings, 2 * bins));
      } else {
        double[] d = new double[values.size()];
        for (int k = 0; k < d.length; k++) {
          d[k] = (Double) values.get(k);
        }
        ref.put(f, Bins.Numeric.capture(d, bins));
      }
    }
    return ref;
  }
}
