package io.tensorgate.server.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code drift_reference.json} from a model's folder:
 *
 * <pre>
 * {"features": {
 *    "INPUT0[0]": {"edges": [0.0, 0.5, 1.0], "counts": [0, 40, 60, 0]},
 *    "TEXT":      {"categories": {"cat": 70, "dog": 25, "__other__": 5}}}}
 * </pre>
 *
 * Numeric features: k strictly increasing edges and k + 1 counts (or proportions) for the bins
 * (-inf, e0), [e0, e1), ..., [ek-1, inf). Categorical (BYTES) features: a count per category;
 * {@code __other__} counts every value not listed. Only the features named are monitored; a name
 * that is not a feature of the model is an error.
 */
final class ReferenceFile {
  static final String NAME = "drift_reference.json";
  static final long MAX_BYTES = 16L << 20;

  private ReferenceFile() {}

  /**
   * @return the bins of each feature the file names, in the model's feature order
   * @throws IOException when the file cannot be read or is not valid (the message says why)
   */
  static Map<Feature, Bins> read(Path file, List<Feature> features) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw new IOException(file + " is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    JsonNode fs = root == null ? null : root.get("features");
    if (fs == null || !fs.isObject() || fs.isEmpty()) {
      throw new IOException(file + ": expected an object \"features\" with at least one feature");
    }
    Map<String, Feature> byName = new LinkedHashMap<>();
    features.forEach(f -> byName.put(f.name(), f));
    Map<Feature, Bins> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fs.properties()) {
      Feature f = byName.get(e.getKey());
      if (f == null) {
        throw new IOException(
            file
                + ": '"
                + e.getKey()
                + "' is not a feature of this model; features: "
                + byName.keySet());
      }
      try {
        out.put(f, f.categorical() ? categorical(e.getValue()) : numeric(e.getValue()));
      } catch (IllegalArgumentException ex) {
        throw new IOException(file + ": feature '" + e.getKey() + "': " + ex.getMessage(), ex);
      }
    }
    Map<Feature, Bins> ordered = new LinkedHashMap<>();
    for (Feature f : features) {
      if (out.containsKey(f)) {
        ordered.put(f, out.get(f));
      }
    }
    return ordered;
  }

  private static Bins numeric(JsonNode n) {
    JsonNode edges = n.get("edges");
    JsonNode counts = n.get("counts");
    if (edges == null || !edges.isArray() || counts == null || !counts.isArray()) {
      throw new IllegalArgumentException("a numeric feature needs arrays \"edges\" and \"counts\"");
    }
    double[] e = numbers(edges, "edges");
    double[] c = numbers(counts, "counts");
    return new Bins.Numeric(e, normalize(c));
  }

  private static Bins categorical(JsonNode n) {
    JsonNode cats = n.get("categories");
    if (cats == null || !cats.isObject() || cats.isEmpty()) {
      throw new IllegalArgumentException("a BYTES feature needs an object \"categories\"");
    }
    List<String> names = new ArrayList<>();
    List<Double> counts = new ArrayList<>();
    double other = 0;
    for (Map.Entry<String, JsonNode> c : cats.properties()) {
      if (!c.getValue().isNumber()) {
        throw new IllegalArgumentException("category '" + c.getKey() + "' needs a number");
      }
      if (c.getKey().equals(Bins.Categorical.OTHER)) {
        other = c.getValue().asDouble();
      } else {
        names.add(c.getKey());
        counts.add(c.getValue().asDouble());
      }
    }
    double[] c = new double[names.size() + 1];
    for (int i = 0; i < names.size(); i++) {
      c[i] = counts.get(i);
    }
    c[names.size()] = other;
    return new Bins.Categorical(names, normalize(c));
  }

  private static double[] numbers(JsonNode array, String what) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      if (!array.get(i).isNumber()) {
        throw new IllegalArgumentException("\"" + what + "\" must hold numbers only");
      }
      out[i] = array.get(i).asDouble();
    }
    return out;
  }

  private static double[] normalize(double[] counts) {
    double total = 0;
    for (double c : counts) {
      if (!(c >= 0) || Double.isInfinite(c)) {
        throw new IllegalArgumentException("counts must be finite and not negative");
      }
      total += c;
    }
    if (total <= 0) {
      throw new IllegalArgumentException("counts must not all be zero");
    }
    double[] p = new double[counts.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = counts[i] / total;
    }
    return p;
  }
}
