package io.tensorgate.backend.onnxruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelSignature;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnnxRuntimeBackendProviderTest {
  private final OnnxRuntimeBackendProvider provider = new OnnxRuntimeBackendProvider();

  @Test
  void shouldBeFoundByServiceLoaderWhenOnTheClasspath() {
    assertThat(ServiceLoader.load(BackendProvider.class).stream())
        .extracting(ServiceLoader.Provider::type)
        .contains(OnnxRuntimeBackendProvider.class);
  }

  @Test
  void shouldNameTritonsBackendPlatformAndFileWhenAsked() {
    assertThat(provider.name()).isEqualTo("onnxruntime");
    assertThat(provider.platforms()).containsExactly("onnxruntime_onnx");
    assertThat(provider.defaultModelFilename()).isEqualTo("model.onnx");
  }

  @Test
  void shouldBeAvailableWhenTheNativeLibraryLoads() {
    assertThat(provider.availability()).isEqualTo(BackendProvider.Availability.yes());
  }

  @Test
  void shouldReportTheLoaderErrorWhenTheNativeLibraryDoesNotLoad() {
    OnnxRuntimeBackendProvider broken =
        new OnnxRuntimeBackendProvider(
            () -> {
              throw new UnsatisfiedLinkError("no onnxruntime in java.library.path");
            });

    BackendProvider.Availability availability = broken.availability();

    assertThat(availability.available()).isFalse();
    assertThat(availability.reason()).contains("no onnxruntime in java.library.path");
  }

  @Test
  void shouldRefuseToLoadWithTheReasonWhenUnavailable() {
    OnnxRuntimeBackendProvider broken =
        new OnnxRuntimeBackendProvider(
            () -> {
              throw new ExceptionInInitializerError("libonnxruntime.so: cannot open");
            });

    assertThatThrownBy(() -> broken.load(TestModels.addSub()))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("libonnxruntime.so: cannot open");
    assertThatThrownBy(() -> broken.inspect(TestModels.path("add_sub_int32.onnx")))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("libonnxruntime.so: cannot open");
  }

  @Test
  void shouldObtainTheEnvironmentOnceWhenAskedRepeatedly() {
    AtomicInteger calls = new AtomicInteger();
    OnnxRuntimeBackendProvider counting =
        new OnnxRuntimeBackendProvider(
            () -> {
              calls.incrementAndGet();
              return OrtEnvironment.getEnvironment();
            });

    counting.availability();
    counting.availability();

    assertThat(calls).hasValue(1);
  }

  @Test
  void shouldReadFullShapesWithSymbolicDimensionsAsMinusOneWhenInspecting() throws Exception {
    ModelSignature signature = provider.inspect(TestModels.path("add_sub_int32.onnx"));

    assertThat(signature.inputs())
        .containsExactly(
            new TensorSpec("INPUT0", DataType.INT32, new long[] {-1, 16}),
            new TensorSpec("INPUT1", DataType.INT32, new long[] {-1, 16}));
    assertThat(signature.outputs())
        .containsExactly(
            new TensorSpec("OUTPUT0", DataType.INT32, new long[] {-1, 16}),
            new TensorSpec("OUTPUT1", DataType.INT32, new long[] {-1, 16}));
  }

  @ParameterizedTest
  @EnumSource(DataType.class)
  void shouldMapEachOnnxElementTypeToItsTritonDatatypeWhenInspecting(DataType type)
      throws Exception {
    String file = "identity_" + type.name().toLowerCase(java.util.Locale.ROOT) + ".onnx";

    ModelSignature signature = provider.inspect(TestModels.path(file));

    assertThat(signature.inputs())
        .containsExactly(new TensorSpec("INPUT0", type, new long[] {-1, -1}));
    assertThat(signature.outputs())
        .containsExactly(new TensorSpec("OUTPUT0", type, new long[] {-1, -1}));
  }

  @Test
  void shouldReadRankZeroWhenInspectingAScalarModel() throws Exception {
    ModelSignature signature = provider.inspect(TestModels.path("scalar_double.onnx"));

    assertThat(signature.inputs())
        .containsExactly(new TensorSpec("INPUT0", DataType.FP32, new long[0]));
  }

  @Test
  void shouldRejectTheModelWhenAnOutputIsASequence() {
    Path file = TestModels.path("sequence_output.onnx");

    assertThatThrownBy(() -> provider.inspect(file))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("output 'OUTPUT0'")
        .hasMessageContaining("is a sequence")
        .hasMessageContaining("tensor inputs and outputs only");
  }

  @Test
  void shouldNameTheFileAndOnnxRuntimesReasonWhenTheFileIsCorrupt() {
    Path file = TestModels.path("corrupt.onnx");

    assertThatThrownBy(() -> provider.inspect(file))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("Protobuf parsing failed");
  }

  @Test
  void shouldNameTheFileWhenItDoesNotExist(@TempDir Path dir) {
    Path file = dir.resolve("missing.onnx");

    assertThatThrownBy(() -> provider.inspect(file))
        .isInstanceOf(BackendException.class)
        .hasMessage("model file " + file + " does not exist");
  }

  @Test
  void shouldLookForModelOnnxInsideWhenGivenAFolder(@TempDir Path dir) throws Exception {
    java.nio.file.Files.copy(
        TestModels.path("identity_fp32.onnx"), dir.resolve(OrtSessions.DEFAULT_MODEL_FILENAME));

    ModelSignature signature = provider.inspect(dir);

    assertThat(signature.inputs()).extracting(TensorSpec::name).containsExactly("INPUT0");
  }
}
