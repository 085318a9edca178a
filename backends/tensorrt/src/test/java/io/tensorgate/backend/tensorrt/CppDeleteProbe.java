package io.tensorgate.backend.tensorrt;

import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Runs in a JVM of its own, started by {@link CppDeleteTest}: loads the empty CUDA libraries and
 * the C++ shapes from the folder given, then JavaCPP's real CUDA runtime glue (which binds to those
 * libraries by their names), deletes each shape through {@link CppDelete} and prints, per shape,
 * {@code <index> destroyed=<n> freed=<n>} with the counts of every shape after that deletion.
 */
public final class CppDeleteProbe {
  private CppDeleteProbe() {}

  public static void main(String[] args) {
    String dir = args[0];
    Loader.loadGlobal(dir + "/libcuda.so.1");
    Loader.loadGlobal(dir + "/libcudart.so.13");
    Loader.loadGlobal(dir + "/libtensorrt_shapes.so");
    Loader.load(cudart.class);
    PointerPointer<?> objects = new PointerPointer<>(Loader.addressof("tg_objects")).capacity(3);
    IntPointer destroyed = new IntPointer(Loader.addressof("tg_destroyed")).capacity(3);
    IntPointer freed = new IntPointer(Loader.addressof("tg_freed")).capacity(3);
    int[] entries = {CppDelete.NO_COPY, CppDelete.NO_COPY, CppDelete.ONNX_PARSER};
    for (int i = 0; i < entries.length; i++) {
      CppDelete.delete(objects.get(i).address(), entries[i]);
      StringBuilder line = new StringBuilder("deleted ").append(i).append(':');
      for (int j = 0; j < entries.length; j++) {
        line.append(' ').append(j).append(" destroyed=").append(destroyed.get(j));
        line.append(" freed=").append(freed.get(j));
      }
      System.out.println(line);
    }
  }
}
