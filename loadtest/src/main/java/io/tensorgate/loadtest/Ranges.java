package io.tensorgate.loadtest;

import java.util.ArrayList;
import java.util.List;

/** perf_analyzer's {@code start:end:step} ranges ("start", "start:end" with step 1 also work). */
final class Ranges {

  private Ranges() {}

  static List<Integer> integers(String text) {
    List<Integer> values = new ArrayList<>();
    for (double value : doubles(text)) {
      if (value != Math.rint(value)) {
        throw new IllegalArgumentException("range '" + text + "' must hold whole numbers");
      }
      values.add((int) value);
    }
    return values;
  }

  static List<Double> doubles(String text) {
    String[] parts = text.split(":", -1);
    if (parts.length > 3) {
      throw new IllegalArgumentException("expected start:end:step but got '" + text + "'");
    }
    double start = Double.parseDouble(parts[0]);
    double end = parts.length > 1 ? Double.parseDouble(parts[1]) : start;
    double step = parts.length > 2 ? Double.parseDouble(parts[2]) : 1;
    if (!(start > 0) || end < start || !(step > 0)) {
      throw new IllegalArgumentException(
          "range '" + text + "' needs 0 < start <= end and step > 0");
    }
    List<Double> values = new ArrayList<>();
    // Counting steps instead of adding, so 0.1-sized steps do not drift past the end.
    for (long i = 0; ; i++) {
      double value = start + i * step;
      if (value > end + step * 1e-9) {
        break;
      }
      values.add(value);
    }
    return values;
  }
}
