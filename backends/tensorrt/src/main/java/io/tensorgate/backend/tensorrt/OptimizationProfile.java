package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.Shapes;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** One optimization profile of an engine: the shape range of each input. Immutable. */
final class OptimizationProfile {
  private final int index;
  private final Map<String, ShapeRange> inputs;

  /**
   * @param index the profile's index in the engine
   * @param inputs the range of every engine input, by name
   */
  OptimizationProfile(int index, Map<String, ShapeRange> inputs) {
    this.index = index;
    this.inputs =
        Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(inputs, "inputs")));
  }

  int index() {
    return index;
  }

  /** The range of an input, or {@code null} when the profile has none for it. */
  ShapeRange range(String input) {
    return inputs.get(input);
  }

  /** The ranges of all inputs, in the engine's input order. */
  Collection<ShapeRange> ranges() {
    return inputs.values();
  }

  /**
   * Whether every input named in {@code shapes} lies in this profile's range for it.
   *
   * @param shapes full input shapes (batch dimension included), by input name
   */
  boolean accepts(Map<String, long[]> shapes) {
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      ShapeRange r = inputs.get(e.getKey());
      if (r == null || !r.contains(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("profile ").append(index).append(" {");
    String sep = "";
    for (Map.Entry<String, ShapeRange> e : inputs.entrySet()) {
      sb.append(sep).append(e.getKey()).append(": ").append(e.getValue());
      sep = ", ";
    }
    return sb.append('}').toString();
  }

  /** Formats input shapes for messages: {@code {x: [2,3], y: [2]}}. */
  static String describe(Map<String, long[]> shapes) {
    StringBuilder sb = new StringBuilder("{");
    String sep = "";
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      sb.append(sep).append(e.getKey()).append(": ").append(Shapes.toString(e.getValue()));
      sep = ", ";
    }
    return sb.append('}').toString();
  }
}
