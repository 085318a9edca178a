package io.tensorgate.backend.tensorrt;

import static io.tensorgate.backend.tensorrt.FakeEngines.FILE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelSignature;
import io.tensorgate.backend.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineDescriptionTest {
  @Test
  void shouldReportInputsAndOutputsInEngineOrderWithDynamicDimensions() throws Exception {
    EngineDescription engine =
        new EngineDescription(
            List.of(
                FakeEngines.output("scores", TrtDataTypes.HALF, -1, 10),
                FakeEngines.input("pixels", TrtDataTypes.UINT8, -1, 28, 28),
                FakeEngines.input("mask", TrtDataTypes.BOOL, -1, 28)),
            List.of());

    ModelSignature sig = engine.signature(FILE);

    assertThat(sig.inputs())
        .containsExactly(
            new TensorSpec("pixels", DataType.UINT8, new long[] {-1, 28, 28}),
            new TensorSpec("mask", DataType.BOOL, new long[] {-1, 28}));
    assertThat(sig.outputs())
        .containsExactly(new TensorSpec("scores", DataType.FP16, new long[] {-1, 10}));
  }

  @Test
  void shouldRefuseTensorWhenItsTypeHasNoTritonDatatype() {
    EngineDescription engine =
        new EngineDescription(
            List.of(
                FakeEngines.input("x", TrtDataTypes.FLOAT, 4),
                FakeEngines.output("q", TrtDataTypes.FP8, 4)),
            List.of());

    assertThatThrownBy(() -> engine.signature(FILE))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            "output 'q' of /models/m/1/model.plan has TensorRT type kFP8, which has no Triton"
                + " datatype");
  }

  @Test
  void shouldRefuseTensorWhenItsFormatIsVectorized() {
    EngineDescription engine =
        new EngineDescription(
            List.of(new EngineTensor("x", true, TrtDataTypes.HALF, new long[] {1, 8}, false, true)),
            List.of());

    assertThatThrownBy(() -> engine.signature(FILE))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("input 'x'")
        .hasMessageContaining("vectorized memory format");
  }

  @Test
  void shouldRefuseTensorWhenItIsAHostShapeTensor() {
    EngineDescription engine =
        new EngineDescription(
            List.of(new EngineTensor("s", true, TrtDataTypes.INT32, new long[] {2}, true, false)),
            List.of());

    assertThatThrownBy(() -> engine.signature(FILE))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("input 's'")
        .hasMessageContaining("host shape tensor");
  }
}
