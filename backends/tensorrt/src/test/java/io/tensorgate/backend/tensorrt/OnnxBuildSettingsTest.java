package io.tensorgate.backend.tensorrt;

import static io.tensorgate.backend.tensorrt.FakeEngines.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxBuildSettingsTest {
  private static final Path ONNX = Path.of("/models/m/1/model.onnx");

  private static ModelDefinition definition(
      int maxBatchSize, List<TensorSpec> inputs, Map<String, String> parameters) {
    return new ModelDefinition(
        "m",
        1,
        "tensorrt_plan",
        ONNX.getParent(),
        ONNX,
        maxBatchSize,
        inputs,
        List.of(spec("OUTPUT0", DataType.FP32, -1)),
        parameters);
  }

  private static Map<String, long[]> inputs(Object... nameThenDims) {
    Map<String, long[]> m = new LinkedHashMap<>();
    for (int i = 0; i < nameThenDims.length; i += 2) {
      m.put((String) nameThenDims[i], (long[]) nameThenDims[i + 1]);
    }
    return m;
  }

  @Test
  void shouldBuildWhenTheModelFileIsOnnx() {
    assertThat(OnnxBuildSettings.isOnnx(ONNX)).isTrue();
    assertThat(OnnxBuildSettings.isOnnx(Path.of("/models/m/1/model.plan"))).isFalse();
  }

  @Test
  void shouldNeedNoProfileWhenNoInputIsDynamic() throws Exception {
    ModelDefinition def = definition(0, List.of(spec("INPUT0", DataType.FP32, 2, 3)), Map.of());

    assertThat(OnnxBuildSettings.profile(def, inputs("INPUT0", new long[] {2, 3}))).isEmpty();
  }

  @Test
  void shouldRangeTheBatchDimensionUpToMaxBatchSizeAndFixWhatTheConfigurationFixes()
      throws Exception {
    ModelDefinition def = definition(8, List.of(spec("INPUT0", DataType.FP32, 16)), Map.of());

    ShapeRange r =
        OnnxBuildSettings.profile(def, inputs("INPUT0", new long[] {-1, -1})).get("INPUT0");

    assertThat(r.min()).containsExactly(1, 16);
    assertThat(r.opt()).containsExactly(8, 16);
    assertThat(r.max()).containsExactly(8, 16);
  }

  @Test
  void shouldTakeRangesFromTheParametersWhenGiven() throws Exception {
    ModelDefinition def =
        definition(
            4,
            List.of(spec("ids", DataType.INT32, -1)),
            Map.of(
                "trt_min_shapes", "ids:1x1",
                "trt_opt_shapes", "ids:2x64",
                "trt_max_shapes", "ids:4x128"));

    ShapeRange r = OnnxBuildSettings.profile(def, inputs("ids", new long[] {-1, -1})).get("ids");

    assertThat(r.min()).containsExactly(1, 1);
    assertThat(r.opt()).containsExactly(2, 64);
    assertThat(r.max()).containsExactly(4, 128);
  }

  @Test
  void shouldRefuseADimensionDynamicInBothModelAndConfigurationWithoutParameters() {
    ModelDefinition def = definition(4, List.of(spec("ids", DataType.INT32, -1)), Map.of());

    assertThatThrownBy(() -> OnnxBuildSettings.profile(def, inputs("ids", new long[] {-1, -1})))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            "unable to build a TensorRT engine for model 'm' from /models/m/1/model.onnx:"
                + " dimension 1 of input 'ids' is dynamic in the ONNX model and in the"
                + " configuration; give its range with the parameters trt_min_shapes and"
                + " trt_max_shapes, e.g. ids:1x16");
  }

  @Test
  void shouldRefuseARangeThatContradictsAFixedDimension() {
    ModelDefinition def =
        definition(
            4,
            List.of(spec("x", DataType.FP32, 3)),
            Map.of("trt_min_shapes", "x:1x4", "trt_max_shapes", "x:4x4"));

    assertThatThrownBy(() -> OnnxBuildSettings.profile(def, inputs("x", new long[] {-1, 3})))
        .isInstanceOf(BackendException.class)
        .hasMessageEndingWith(
            "the range [1,4] given for input 'x' does not fit its shape in the ONNX model, [-1,3]");
  }

  @Test
  void shouldRefuseARangeWhoseMinExceedsItsMax() {
    ModelDefinition def =
        definition(
            4,
            List.of(spec("x", DataType.FP32, -1)),
            Map.of("trt_min_shapes", "x:4x4", "trt_max_shapes", "x:2x4"));

    assertThatThrownBy(() -> OnnxBuildSettings.profile(def, inputs("x", new long[] {-1, -1})))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("needs min <= opt <= max");
  }

  @Test
  void shouldRefuseAnInputWithOnlyOneBound() {
    ModelDefinition def =
        definition(4, List.of(spec("x", DataType.FP32, -1)), Map.of("trt_max_shapes", "x:4x4"));

    assertThatThrownBy(() -> OnnxBuildSettings.profile(def, inputs("x", new long[] {-1, -1})))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("has a range in only one of trt_min_shapes and trt_max_shapes");
  }

  @Test
  void shouldRefuseAnOnnxInputTheConfigurationDoesNotName() {
    ModelDefinition def = definition(4, List.of(spec("x", DataType.FP32, 4)), Map.of());

    assertThatThrownBy(
            () ->
                OnnxBuildSettings.profile(
                    def, inputs("x", new long[] {-1, 4}, "y", new long[] {-1, 4})))
        .isInstanceOf(BackendException.class)
        .hasMessageEndingWith("the ONNX model's input 'y' is not in the configuration");
  }

  @Test
  void shouldParseTrtexecShapeSyntax() throws Exception {
    Map<String, long[]> shapes =
        OnnxBuildSettings.parseShapes("trt_max_shapes", "INPUT0:8x3x224x224, ns:name:4");

    assertThat(shapes).containsOnlyKeys("INPUT0", "ns:name");
    assertThat(shapes.get("INPUT0")).containsExactly(8, 3, 224, 224);
    assertThat(shapes.get("ns:name")).containsExactly(4);
    assertThat(OnnxBuildSettings.parseShapes("trt_max_shapes", null)).isEmpty();
  }

  @Test
  void shouldRefuseShapeTextThatDoesNotParse() {
    assertThatThrownBy(() -> OnnxBuildSettings.parseShapes("trt_min_shapes", "INPUT0"))
        .isInstanceOf(BackendException.class)
        .hasMessage("parameter trt_min_shapes: 'INPUT0' is not NAME:DIMxDIM..., e.g. INPUT0:1x16");
    assertThatThrownBy(() -> OnnxBuildSettings.parseShapes("trt_min_shapes", "x:1xa"))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("'a' in 'x:1xa' is not a dimension");
    assertThatThrownBy(() -> OnnxBuildSettings.parseShapes("trt_min_shapes", "x:1x-2"))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("must not be negative");
  }
}
