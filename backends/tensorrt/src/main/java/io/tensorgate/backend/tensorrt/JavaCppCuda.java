package io.tensorgate.backend.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaHostAlloc;
import static org.bytedeco.cuda.global.cudart.cudaHostAllocPortable;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.tensorgate.backend.BackendException;
import java.nio.ByteBuffer;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * {@link CudaRuntime} through JavaCPP's CUDA runtime bindings. Only used once {@link NativeProbe}
 * found the runtime loadable. Handles are wrapped into JavaCPP pointers per call: small Java
 * objects, no native allocation.
 */
final class JavaCppCuda implements CudaRuntime {
  @Override
  public void setDevice(int device) throws BackendException {
    Cuda.setDevice(device);
  }

  @Override
  public String gpuModel(int device) throws BackendException {
    try (cudaDeviceProp p = new cudaDeviceProp()) {
      Cuda.check(cudaGetDeviceProperties(p, device), "cudaGetDeviceProperties(" + device + ")");
      return p.name().getString().trim() + " (compute " + p.major() + "." + p.minor() + ")";
    }
  }

  @Override
  public long createStream() throws BackendException {
    CUstream_st stream = new CUstream_st();
    Cuda.check(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreate");
    return stream.address();
  }

  @Override
  public void synchronize(long stream) throws BackendException {
    Cuda.check(cudaStreamSynchronize(stream(stream)), "cudaStreamSynchronize");
  }

  @Override
  public void destroyStream(long stream) {
    cudaStreamDestroy(stream(stream));
  }

  @Override
  public long createEvent() throws BackendException {
    CUevent_st event = new CUevent_st();
    Cuda.check(cudaEventCreate(event), "cudaEventCreate");
    return event.address();
  }

  @Override
  public void record(long event, long stream) throws BackendException {
    Cuda.check(cudaEventRecord(event(event), stream(stream)), "cudaEventRecord");
  }

  @Override
  public float elapsedMillis(long start, long end) throws BackendException {
    float[] millis = new float[1];
    Cuda.check(cudaEventElapsedTime(millis, event(start), event(end)), "cudaEventElapsedTime");
    return millis[0];
  }

  @Override
  public void destroyEvent(long event) {
    cudaEventDestroy(event(event));
  }

  @Override
  public long allocateHost(long bytes) throws BackendException {
    Pointer p = new Pointer();
    Cuda.check(
        cudaHostAlloc(p, bytes, cudaHostAllocPortable), "cudaHostAlloc(" + bytes + " bytes)");
    return p.address();
  }

  @Override
  public void freeHost(long address) {
    cudaFreeHost(new NativeAddress(address));
  }

  @Override
  public long allocateDevice(long bytes) throws BackendException {
    Pointer p = new Pointer();
    Cuda.check(cudaMalloc(p, bytes), "cudaMalloc(" + bytes + " bytes)");
    return p.address();
  }

  @Override
  public void freeDevice(long address) {
    cudaFree(new NativeAddress(address));
  }

  @Override
  public void copyToDevice(long device, long host, long bytes, long stream)
      throws BackendException {
    Cuda.check(
        cudaMemcpyAsync(
            new NativeAddress(device),
            new NativeAddress(host),
            bytes,
            cudaMemcpyHostToDevice,
            stream(stream)),
        "cudaMemcpyAsync to the device");
  }

  @Override
  public void copyToHost(long host, long device, long bytes, long stream) throws BackendException {
    Cuda.check(
        cudaMemcpyAsync(
            new NativeAddress(host),
            new NativeAddress(device),
            bytes,
            cudaMemcpyDeviceToHost,
            stream(stream)),
        "cudaMemcpyAsync to the host");
  }

  @Override
  public ByteBuffer hostBuffer(long address, long bytes) {
    return new BytePointer(new NativeAddress(address)).capacity(bytes).asByteBuffer();
  }

  private static CUstream_st stream(long address) {
    return new CUstream_st(new NativeAddress(address));
  }

  private static CUevent_st event(long address) {
    return new CUevent_st(new NativeAddress(address));
  }
}
