package io.tensorgate.backend.tensorrt;

import org.bytedeco.cuda.cudart.cudaHostFn_t;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Runs {@code delete p} on an object TensorRT created, which JavaCPP 1.5.13's TensorRT 10 preset
 * cannot do: it attaches no deallocator to the pointers TensorRT returns and TensorRT 10 removed
 * {@code destroy()}, so their {@code deallocate()} does nothing (bytedeco/javacpp-presets#1699).
 *
 * <p>The facts this relies on. TensorRT for Linux x86-64 is built with GCC, so its objects follow
 * the Itanium C++ ABI: a polymorphic object's first word points at its virtual table; a virtual
 * destructor takes two consecutive entries there, the complete-object destructor and then the
 * deleting destructor (destroy, then free with the class's own {@code operator delete}), at the
 * position where the destructor is first declared among the class's virtual functions; and {@code
 * delete p} is a call of the deleting destructor read from p's table, with p as its only argument,
 * a {@code void(*)(void*)} (through a thunk that adjusts p when the interface is not the object's
 * first base). The entry is {@link #NO_COPY} or {@link #ONNX_PARSER}, counted in TensorRT 10.15's
 * and 10.16's public headers. The call goes through a function-pointer class the CUDA preset
 * already compiles, {@code cudaHostFn_t} ({@code void(void*)}): JavaCPP keeps a function pointer as
 * a struct whose first member is the C function pointer.
 *
 * <p>Only for objects the caller owns, once each; {@code CppDeleteTest} checks the arithmetic on
 * C++ classes of the same shapes compiled with g++.
 */
final class CppDelete {
  /**
   * The deleting destructor's entry for interfaces deriving from {@code nvinfer1::INoCopy}
   * (IRuntime, ICudaEngine, IExecutionContext, IBuilder, INetworkDefinition, IBuilderConfig,
   * IHostMemory): INoCopy declares one virtual function, its destructor (entries 0 and 1); the
   * interfaces' own virtual functions come after it.
   */
  static final int NO_COPY = 1;

  /**
   * The deleting destructor's entry for {@code nvonnxparser::IParser}, which declares eight virtual
   * functions (parse ... clearErrors) before its destructor (entries 8 and 9).
   */
  static final int ONNX_PARSER = 9;

  private CppDelete() {}

  /**
   * Deletes the object at {@code object}; does nothing for address 0. The CUDA runtime's JNI glue
   * must be loaded (it is whenever TensorRT's is).
   *
   * @param deletingDestructor the entry of the object's virtual table to call, {@link #NO_COPY} or
   *     {@link #ONNX_PARSER}
   * @throws IllegalStateException when the object has no virtual table or the entry is empty, which
   *     no live object of those classes has; nothing was called then
   */
  static void delete(long object, int deletingDestructor) {
    if (object == 0) {
      return;
    }
    long table = new LongPointer(new NativeAddress(object)).get();
    long function =
        table == 0 ? 0 : new LongPointer(new NativeAddress(table)).get(deletingDestructor);
    if (function == 0) {
      throw new IllegalStateException(
          "object at 0x"
              + Long.toHexString(object)
              + " has no destructor at entry "
              + deletingDestructor);
    }
    // malloc, not new LongPointer(2): no deallocator to register, so no JavaCPP memory limit.
    Pointer hostFn = Pointer.malloc(2 * Long.BYTES);
    if (hostFn == null || hostFn.isNull()) {
      throw new OutOfMemoryError("malloc(16) failed while deleting a TensorRT object");
    }
    try {
      new LongPointer(hostFn).put(0, function).put(1, 0);
      new cudaHostFn_t(hostFn).call(new NativeAddress(object));
    } finally {
      Pointer.free(hostFn);
    }
  }
}
