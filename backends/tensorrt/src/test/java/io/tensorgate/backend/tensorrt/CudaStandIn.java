package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A CUDA runtime in Java memory: streams, events and buffers are numbered addresses, copies happen
 * at once, and every call is written to a shared journal ({@code "cudaMalloc 256 -> d3"}), so tests
 * see what was made, released and synchronized, in which order. Failures are injected by name.
 * Thread-safe.
 */
final class CudaStandIn implements CudaRuntime {
  private final List<String> journal;
  private final Map<Long, ByteBuffer> memory = new HashMap<>();
  private final Map<Long, String> names = new HashMap<>();
  private final Map<Integer, String> gpuModels = new HashMap<>();
  private final List<String> failing = new ArrayList<>();
  private final List<String> failingOnce = new ArrayList<>();
  private long next = 1;

  CudaStandIn(List<String> journal) {
    this.journal = journal;
  }

  /** Makes the calls whose journal line starts with {@code prefix} fail from now on. */
  synchronized CudaStandIn failing(String prefix) {
    failing.add(prefix);
    return this;
  }

  /** Makes the next call whose journal line starts with {@code prefix} fail. */
  synchronized CudaStandIn failingOnce(String prefix) {
    failingOnce.add(prefix);
    return this;
  }

  synchronized CudaStandIn gpuModel(int device, String model) {
    gpuModels.put(device, model);
    return this;
  }

  /** The bytes at a device or host address. */
  synchronized ByteBuffer memory(long address) {
    return memory.get(address);
  }

  /** The journal name of an address, e.g. {@code d3}. */
  synchronized String name(long address) {
    return names.get(address);
  }

  /** Journals a call, or {@code "<call> failed"} and throws when a failure is injected for it. */
  private synchronized void call(String line) throws BackendException {
    injectFailure(line);
    journal.add(line);
  }

  private void injectFailure(String line) throws BackendException {
    String failure = failing.stream().filter(line::startsWith).findFirst().orElse(null);
    if (failure == null) {
      failure = failingOnce.stream().filter(line::startsWith).findFirst().orElse(null);
      failingOnce.remove(failure);
    }
    if (failure != null) {
      journal.add(line + " failed");
      throw new BackendException(failure + " failed: an injected error (cudaError 999)");
    }
  }

  private synchronized long make(String kind, String line, long bytes) throws BackendException {
    injectFailure(line);
    long address = next++ << 20;
    String name = kind + address / (1 << 20);
    journal.add(line + " -> " + name);
    names.put(address, name);
    if (bytes >= 0) {
      memory.put(address, ByteBuffer.allocate((int) bytes));
    }
    return address;
  }

  @Override
  public synchronized void setDevice(int device) throws BackendException {
    call("cudaSetDevice " + device);
  }

  @Override
  public synchronized String gpuModel(int device) {
    return gpuModels.getOrDefault(device, "NVIDIA Stand-In (compute 9.0)");
  }

  @Override
  public long createStream() throws BackendException {
    return make("s", "cudaStreamCreate", -1);
  }

  @Override
  public synchronized void synchronize(long stream) throws BackendException {
    call("cudaStreamSynchronize " + names.get(stream));
  }

  @Override
  public synchronized void destroyStream(long stream) {
    journal.add("cudaStreamDestroy " + names.get(stream));
  }

  @Override
  public long createEvent() throws BackendException {
    return make("ev", "cudaEventCreate", -1);
  }

  @Override
  public synchronized void record(long event, long stream) throws BackendException {
    call("cudaEventRecord " + names.get(event));
  }

  @Override
  public float elapsedMillis(long start, long end) {
    return 0.5f;
  }

  @Override
  public synchronized void destroyEvent(long event) {
    journal.add("cudaEventDestroy " + names.get(event));
  }

  @Override
  public long allocateHost(long bytes) throws BackendException {
    return make("h", "cudaHostAlloc " + bytes, bytes);
  }

  @Override
  public synchronized void freeHost(long address) {
    journal.add("cudaFreeHost " + names.get(address));
    memory.remove(address);
  }

  @Override
  public long allocateDevice(long bytes) throws BackendException {
    return make("d", "cudaMalloc " + bytes, bytes);
  }

  @Override
  public synchronized void freeDevice(long address) {
    journal.add("cudaFree " + names.get(address));
    memory.remove(address);
  }

  @Override
  public synchronized void copyToDevice(long device, long host, long bytes, long stream)
      throws BackendException {
    call("cudaMemcpyAsync " + names.get(host) + " -> " + names.get(device) + " " + bytes);
    copy(device, host, bytes);
  }

  @Override
  public synchronized void copyToHost(long host, long device, long bytes, long stream)
      throws BackendException {
    call("cudaMemcpyAsync " + names.get(device) + " -> " + names.get(host) + " " + bytes);
    copy(host, device, bytes);
  }

  private void copy(long to, long from, long bytes) {
    ByteBuffer src = memory.get(from).duplicate().position(0).limit((int) bytes);
    memory.get(to).duplicate().position(0).put(src);
  }

  @Override
  public synchronized ByteBuffer hostBuffer(long address, long bytes) {
    return memory.get(address).duplicate().position(0).limit((int) bytes).slice();
  }
}
