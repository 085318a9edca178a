package io.tensorgate.loadtest;

import java.util.ArrayList;
import java.util.List;

/** Small shape helpers shared by the request builders and the echo server. */
final class Shapes {

  private Shapes() {}

  /** Parses {@code "2,8"} into [2, 8]; an empty string is a scalar. */
  static List<Long> parseDims(String text) {
    List<Long> dims = new ArrayList<>();
    if (text.isBlank()) {
      return dims;
    }
    for (String part : text.split(",")) {
      dims.add(Long.parseLong(part.trim()));
    }
    return dims;
  }

  /** Element count of a fully known shape; fails on a variable (-1) or overflowing shape. */
  static long elementCount(List<Long> shape) {
    long count = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("shape " + shape + " has a variable dimension");
      }
      count = Math.multiplyExact(count, dim);
    }
    return count;
  }

  static boolean isFullyKnown(List<Long> shape) {
    for (long dim : shape) {
      if (dim < 0) {
        return false;
      }
    }
    return true;
  }

  static List<Long> prepend(long first, List<Long> rest) {
    List<Long> out = new ArrayList<>(rest.size() + 1);
    out.add(first);
    out.addAll(rest);
    return out;
  }
}
