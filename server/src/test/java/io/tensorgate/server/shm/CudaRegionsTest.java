package io.tensorgate.server.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.BackendProvider.Availability;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.server.testing.FakeCuda;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaRegionsTest {
  @TempDir Path shmRoot;

  private final FakeCuda cuda = FakeCuda.available(2);

  private SharedMemoryRegistry registry(Optional<io.tensorgate.backend.CudaSharedMemory> c) {
    return new SharedMemoryRegistry(shmRoot, c);
  }

  private CudaRegions regions() {
    return registry(Optional.of(cuda)).cuda();
  }

  private static byte[] handle() {
    return new byte[64];
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(
      ThrowingCallable call, ErrorCode code) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  @Test
  void shouldRegisterAndReportARegionWhenTheArgumentsAreValid() throws Exception {
    CudaRegions regions = regions();

    regions.register("in", handle(), 1, 4096);

    CudaRegions.Region r = regions.status("in").get("in");
    assertThat(r.deviceId()).isEqualTo(1);
    assertThat(r.byteSize()).isEqualTo(4096);
    assertThat(regions.status("")).containsOnlyKeys("in");
    assertThat(cuda.openCalls()).isEqualTo(1);
  }

  @Test
  void shouldRefuseAnEmptyNameBeforeCallingCuda() {
    assertFails(() -> regions().register("", handle(), 0, 64), ErrorCode.INVALID_ARGUMENT)
        .hasMessage("failed to register CUDA shared memory region: a region name is required");
    assertThat(cuda.openCalls()).isZero();
  }

  @Test
  void shouldRefuseAHandleThatIsNot64BytesBeforeCallingCuda() {
    assertFails(() -> regions().register("r", new byte[63], 0, 64), ErrorCode.INVALID_ARGUMENT)
        .hasMessage(
            "failed to register CUDA shared memory region 'r': raw_handle must be a serialized"
                + " cudaIpcMemHandle_t of 64 bytes, got 63");
    assertFails(() -> regions().register("r", new byte[65], 0, 64), ErrorCode.INVALID_ARGUMENT);
    assertFails(() -> regions().register("r", new byte[0], 0, 64), ErrorCode.INVALID_ARGUMENT);
    assertThat(cuda.openCalls()).isZero();
  }

  @Test
  void shouldRefuseANegativeDeviceIdBeforeCallingCuda() {
    assertFails(() -> regions().register("r", handle(), -1, 64), ErrorCode.INVALID_ARGUMENT)
        .hasMessage("failed to register CUDA shared memory region 'r': invalid device_id -1");
    assertThat(cuda.openCalls()).isZero();
  }

  @Test
  void shouldRefuseADeviceThisHostDoesNotHave() {
    assertFails(() -> regions().register("r", handle(), 2, 64), ErrorCode.INVALID_ARGUMENT)
        .hasMessage(
            "failed to register CUDA shared memory region 'r': device_id 2 is not a CUDA device"
                + " of this host, which has 2");
    assertThat(cuda.openCalls()).isZero();
  }

  @Test
  void shouldRefuseAZeroByteSizeBeforeCallingCuda() {
    assertFails(() -> regions().register("r", handle(), 0, 0), ErrorCode.INVALID_ARGUMENT)
        .hasMessage(
            "failed to register CUDA shared memory region 'r': byte_size must be between 1 and"
                + " 2^63 - 1, got 0");
    assertThat(cuda.openCalls()).isZero();
  }

  @Test
  void shouldRefuseAByteSizeAbove2To63BeforeCallingCuda() {
    assertFails(() -> regions().register("r", handle(), 0, -1), ErrorCode.INVALID_ARGUMENT)
        .hasMessageEndingWith("got 18446744073709551615");
    assertThat(cuda.openCalls()).isZero();
  }

  @Test
  void shouldRefuseATakenNameBeforeCallingCudaAgain() throws Exception {
    CudaRegions regions = regions();
    regions.register("r", handle(), 0, 64);

    assertFails(() -> regions.register("r", handle(), 1, 64), ErrorCode.ALREADY_EXISTS)
        .hasMessage("shared memory region 'r' already in manager");
    assertThat(cuda.openCalls()).isEqualTo(1);
  }

  @Test
  void shouldRefuseACudaRegionWhenASystemRegionHasItsName() throws Exception {
    Files.write(shmRoot.resolve("key"), new byte[64]);
    SharedMemoryRegistry registry = registry(Optional.of(cuda));
    registry.register("r", "/key", 0, 64);

    assertFails(() -> registry.cuda().register("r", handle(), 0, 64), ErrorCode.ALREADY_EXISTS);
    assertThat(cuda.openCalls()).isZero();
  }

  @Test
  void shouldRefuseASystemRegionWhenACudaRegionHasItsName() throws Exception {
    Files.write(shmRoot.resolve("key"), new byte[64]);
    SharedMemoryRegistry registry = registry(Optional.of(cuda));
    registry.cuda().register("r", handle(), 0, 64);

    assertFails(() -> registry.register("r", "/key", 0, 64), ErrorCode.ALREADY_EXISTS)
        .hasMessage("shared memory region 'r' already in manager");
  }

  @Test
  void shouldAnswerInvalidArgumentWithCudasWordsWhenCudaRefusesTheHandle() {
    byte[] stale = handle();
    stale[0] = FakeCuda.REFUSED;

    assertFails(() -> regions().register("r", stale, 0, 64), ErrorCode.INVALID_ARGUMENT)
        .hasMessage(
            "failed to register CUDA shared memory region 'r': cudaIpcOpenMemHandle on GPU 0"
                + " failed: invalid argument (cudaError 1)");
  }

  @Test
  void shouldCloseTheMappingWhenARegionIsUnregistered() throws Exception {
    CudaRegions regions = regions();
    regions.register("a", handle(), 0, 64);
    regions.register("b", handle(), 0, 64);

    regions.unregister("a");

    assertThat(cuda.opened.get(0).closed).isTrue();
    assertThat(cuda.opened.get(1).closed).isFalse();
    assertThat(regions.status("")).containsOnlyKeys("b");
  }

  @Test
  void shouldCloseEveryCudaRegionWhenTheNameIsEmpty() throws Exception {
    CudaRegions regions = regions();
    regions.register("a", handle(), 0, 64);
    regions.register("b", handle(), 1, 64);

    regions.unregister("");

    assertThat(cuda.opened).allSatisfy(r -> assertThat(r.closed).isTrue());
    assertThat(regions.status("")).isEmpty();
  }

  @Test
  void shouldAcceptUnregisteringAnUnknownName() {
    assertThatCode(() -> regions().unregister("nobody")).doesNotThrowAnyException();
  }

  @Test
  void shouldAnswerNotFoundWhenAskedForAnUnknownRegion() {
    assertFails(() -> regions().status("nobody"), ErrorCode.NOT_FOUND)
        .hasMessage("Unable to find cuda shared memory region: 'nobody'");
  }

  @Test
  void shouldSayWhichKindARegionIsWhenAskedForTheOtherKind() throws Exception {
    Files.write(shmRoot.resolve("key"), new byte[64]);
    SharedMemoryRegistry registry = registry(Optional.of(cuda));
    registry.register("sys", "/key", 0, 64);
    registry.cuda().register("dev", handle(), 0, 64);

    assertFails(() -> registry.cuda().status("sys"), ErrorCode.NOT_FOUND)
        .hasMessage(
            "The region named 'sys' is registered as system shared memory, not CUDA shared"
                + " memory");
    assertFails(() -> registry.status("dev"), ErrorCode.NOT_FOUND)
        .hasMessage(
            "The region named 'dev' is registered as CUDA shared memory, not system shared"
                + " memory");
  }

  @Test
  void shouldRefuseInferenceThroughACudaRegionAsUnimplemented() throws Exception {
    SharedMemoryRegistry registry = registry(Optional.of(cuda));
    registry.cuda().register("dev", handle(), 0, 64);

    assertFails(() -> registry.checkRange("dev", 0, 16), ErrorCode.UNIMPLEMENTED)
        .hasMessageStartingWith("shared memory region 'dev' is CUDA shared memory");
  }

  @Test
  void shouldStillRefuseRegistrationWithTheReasonWhenThisHostHasNoCuda() {
    FakeCuda missing = new FakeCuda(Availability.no("libcuda.so.1: cannot open"), 0);
    CudaRegions regions = registry(Optional.of(missing)).cuda();

    assertThat(regions.available()).isFalse();
    assertFails(() -> regions.register("r", handle(), 0, 64), ErrorCode.UNAVAILABLE)
        .hasMessage(
            "failed to register CUDA shared memory region 'r': CUDA is not available on this"
                + " host: libcuda.so.1: cannot open");
    assertThat(missing.openCalls()).isZero();
  }

  @Test
  void shouldReportNoRegionsWhenThisHostHasNoCuda() throws Exception {
    CudaRegions regions =
        registry(Optional.of(new FakeCuda(Availability.no("libcuda.so.1: cannot open"), 0))).cuda();

    assertThat(regions.status("")).isEmpty();
  }

  @Test
  void shouldUnregisterEveryRegionWithoutErrorWhenThisHostHasNoCuda() {
    CudaRegions regions =
        registry(Optional.of(new FakeCuda(Availability.no("libcuda.so.1: cannot open"), 0))).cuda();

    assertThatCode(() -> regions.unregister("")).doesNotThrowAnyException();
    assertThatCode(() -> regions.unregister("never-registered")).doesNotThrowAnyException();
  }

  @Test
  void shouldAnswerNotFoundForANamedRegionWhenThisHostHasNoCuda() {
    CudaRegions regions =
        registry(Optional.of(new FakeCuda(Availability.no("libcuda.so.1: cannot open"), 0))).cuda();

    assertFails(() -> regions.status("in"), ErrorCode.NOT_FOUND)
        .hasMessage("Unable to find cuda shared memory region: 'in'");
  }

  @Test
  void shouldRefuseRegistrationAsUnimplementedWhenNoBackendLinksCuda() {
    CudaRegions regions = registry(Optional.empty()).cuda();

    assertThat(regions.available()).isFalse();
    assertFails(() -> regions.register("r", handle(), 0, 64), ErrorCode.UNIMPLEMENTED)
        .hasMessageContaining("built without a CUDA backend");
  }

  @Test
  void shouldAnswerStatusAndUnregisterAsTritonWhenNoBackendLinksCuda() throws Exception {
    CudaRegions regions = registry(Optional.empty()).cuda();

    assertThat(regions.status("")).isEmpty();
    assertThatCode(() -> regions.unregister("")).doesNotThrowAnyException();
  }
}
