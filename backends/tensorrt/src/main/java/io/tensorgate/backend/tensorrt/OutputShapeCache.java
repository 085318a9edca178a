package io.tensorgate.backend.tensorrt;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Output shapes by input shapes, so that an instance asks TensorRT once per distinct set of input
 * shapes rather than per batch: each ask returns a {@code Dims64} by value, which JavaCPP allocates
 * and registers with its memory accounting (a global lock, a resident-memory reading, and past
 * {@code org.bytedeco.javacpp.maxPhysicalBytes} garbage collections with sleeps and then an
 * OutOfMemoryError). Output shapes depend only on input shapes for the engines this backend serves
 * (data-dependent outputs are refused when the instance is created). Keeps the most recently used
 * {@value #CAPACITY} entries.
 *
 * <p>Threading: used by one instance's worker thread only.
 */
final class OutputShapeCache {
  static final int CAPACITY = 64;

  private final Map<Key, long[][]> shapes =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, long[][]> eldest) {
          return size() > CAPACITY;
        }
      };

  /** Input shapes flattened as rank, dims, rank, dims... */
  private record Key(long[] flat) {
    static Key of(long[][] inputShapes) {
      int n = 0;
      for (long[] s : inputShapes) {
        n += 1 + s.length;
      }
      long[] flat = new long[n];
      int i = 0;
      for (long[] s : inputShapes) {
        flat[i++] = s.length;
        for (long d : s) {
          flat[i++] = d;
        }
      }
      return new Key(flat);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(flat, k.flat);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(flat);
    }

    @Override
    public String toString() {
      return Arrays.toString(flat);
    }
  }

  /** The output shapes recorded for these input shapes (in input order), or null. */
  long[][] get(long[][] inputShapes) {
    return shapes.get(Key.of(inputShapes));
  }

  void put(long[][] inputShapes, long[][] outputShapes) {
    long[][] copy = new long[outputShapes.length][];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = outputShapes[i].clone();
    }
    long[][] keyCopy = new long[inputShapes.length][];
    for (int i = 0; i < keyCopy.length; i++) {
      keyCopy[i] = inputShapes[i].clone();
    }
    shapes.put(Key.of(keyCopy), copy);
  }

  int size() {
    return shapes.size();
  }
}
