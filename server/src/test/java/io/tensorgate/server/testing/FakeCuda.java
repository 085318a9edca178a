package io.tensorgate.server.testing;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider.Availability;
import io.tensorgate.backend.CudaSharedMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link CudaSharedMemory} without CUDA: it counts {@link #open} calls, hands out regions whose
 * closing is recorded, and refuses handles whose first byte is {@link #REFUSED}.
 */
public final class FakeCuda implements CudaSharedMemory {
  /** A handle starting with this byte is refused as CUDA refuses a stale handle. */
  public static final byte REFUSED = (byte) 0xEE;

  private final Availability availability;
  private final int devices;
  public final List<FakeRegion> opened = new ArrayList<>();

  public FakeCuda(Availability availability, int devices) {
    this.availability = availability;
    this.devices = devices;
  }

  public static FakeCuda available(int devices) {
    return new FakeCuda(Availability.yes(), devices);
  }

  @Override
  public Availability availability() {
    return availability;
  }

  @Override
  public int deviceCount() {
    return devices;
  }

  @Override
  public synchronized Region open(byte[] rawHandle, int deviceId, long byteSize)
      throws BackendException {
    if (rawHandle[0] == REFUSED) {
      throw new BackendException(
          "cudaIpcOpenMemHandle on GPU " + deviceId + " failed: invalid argument (cudaError 1)");
    }
    FakeRegion r = new FakeRegion(deviceId, byteSize, 0x7f0000000000L + opened.size() * 4096L);
    opened.add(r);
    return r;
  }

  public synchronized int openCalls() {
    return opened.size();
  }

  /** A region that remembers whether it was closed. */
  public static final class FakeRegion implements Region {
    private final int deviceId;
    private final long byteSize;
    private final long address;
    public final AtomicBoolean closed = new AtomicBoolean();

    FakeRegion(int deviceId, long byteSize, long address) {
      this.deviceId = deviceId;
      this.byteSize = byteSize;
      this.address = address;
    }

    @Override
    public int deviceId() {
      return deviceId;
    }

    @Override
    public long byteSize() {
      return byteSize;
    }

    @Override
    public long devicePointer() {
      return address;
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }
}
