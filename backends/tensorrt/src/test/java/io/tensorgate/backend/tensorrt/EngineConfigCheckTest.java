package io.tensorgate.backend.tensorrt;

import static io.tensorgate.backend.tensorrt.FakeEngines.FILE;
import static io.tensorgate.backend.tensorrt.FakeEngines.range;
import static io.tensorgate.backend.tensorrt.FakeEngines.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineConfigCheckTest {
  private static final String PREFIX = "unable to load model 'm' from /models/m/1/model.plan: ";

  @Test
  void shouldAcceptConfigurationWhenItMatchesTheEngine() {
    assertThatCode(
            () ->
                EngineConfigCheck.check(
                    FakeEngines.batchingDefinition(8), FakeEngines.dynamicBatch(), FILE))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldAcceptConfigurationWhenItNamesOnlySomeOutputs() {
    EngineDescription engine =
        new EngineDescription(
            List.of(
                FakeEngines.input("x", TrtDataTypes.FLOAT, 3),
                FakeEngines.output("a", TrtDataTypes.FLOAT, 3),
                FakeEngines.output("b", TrtDataTypes.INT32, 1)),
            List.of());
    ModelDefinition def =
        FakeEngines.definition(
            0, List.of(spec("x", DataType.FP32, 3)), List.of(spec("b", DataType.INT32, 1)));

    assertThatCode(() -> EngineConfigCheck.check(def, engine, FILE)).doesNotThrowAnyException();
  }

  @Test
  void shouldRefuseConfigurationWhenAnEngineInputIsMissing() {
    EngineDescription engine =
        new EngineDescription(
            List.of(
                FakeEngines.input("x", TrtDataTypes.FLOAT, 3),
                FakeEngines.input("y", TrtDataTypes.FLOAT, 3),
                FakeEngines.output("z", TrtDataTypes.FLOAT, 3)),
            List.of());
    ModelDefinition def =
        FakeEngines.definition(
            0, List.of(spec("x", DataType.FP32, 3)), List.of(spec("z", DataType.FP32, 3)));

    assertThatThrownBy(() -> EngineConfigCheck.check(def, engine, FILE))
        .isInstanceOf(BackendException.class)
        .hasMessage(PREFIX + "the configuration has 1 inputs but the engine has 2 [x, y]");
  }

  @Test
  void shouldRefuseConfigurationWhenItNamesAnUnknownOutput() {
    ModelDefinition def =
        FakeEngines.definition(
            8, List.of(spec("INPUT0", DataType.FP32, 4)), List.of(spec("PROBS", DataType.FP32, 4)));

    assertThatThrownBy(() -> EngineConfigCheck.check(def, FakeEngines.dynamicBatch(), FILE))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            PREFIX
                + "configuration output 'PROBS' is not an output of the engine, whose outputs are"
                + " [OUTPUT0]");
  }

  @Test
  void shouldRefuseConfigurationWhenTheDatatypeDiffers() {
    ModelDefinition def =
        FakeEngines.definition(
            8,
            List.of(spec("INPUT0", DataType.FP16, 4)),
            List.of(spec("OUTPUT0", DataType.FP32, 4)));

    assertThatThrownBy(() -> EngineConfigCheck.check(def, FakeEngines.dynamicBatch(), FILE))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            PREFIX
                + "configuration expects datatype TYPE_FP16 for input 'INPUT0', engine provides"
                + " TYPE_FP32");
  }

  @Test
  void shouldRefuseBatchingWhenTheEngineBatchDimensionIsFixed() {
    EngineDescription engine =
        new EngineDescription(
            List.of(
                FakeEngines.input("INPUT0", TrtDataTypes.FLOAT, 1, 4),
                FakeEngines.output("OUTPUT0", TrtDataTypes.FLOAT, 1, 4)),
            List.of(
                new OptimizationProfile(
                    0, Map.of("INPUT0", range(new long[] {1, 4}, new long[] {1, 4})))));

    assertThatThrownBy(
            () -> EngineConfigCheck.check(FakeEngines.batchingDefinition(1), engine, FILE))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            PREFIX
                + "input 'INPUT0': for the model to support batching (max_batch_size > 0) its"
                + " first dimension must be dynamic (-1), but the engine's shape is [1,4]");
  }

  @Test
  void shouldRefuseMaxBatchSizeWhenNoProfileAcceptsSomeBatchSize() {
    assertThatThrownBy(
            () ->
                EngineConfigCheck.check(
                    FakeEngines.batchingDefinition(16), FakeEngines.dynamicBatch(), FILE))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith(
            PREFIX
                + "max_batch_size is 16 but no optimization profile of the engine accepts batch"
                + " size 9; profiles: [profile 0 {INPUT0: [1,4]..[8,4]");
  }

  @Test
  void shouldRefuseInputWhenAFixedEngineDimensionDiffers() {
    ModelDefinition def =
        FakeEngines.definition(
            8,
            List.of(spec("INPUT0", DataType.FP32, 5)),
            List.of(spec("OUTPUT0", DataType.FP32, 4)));

    assertThatThrownBy(() -> EngineConfigCheck.check(def, FakeEngines.dynamicBatch(), FILE))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            PREFIX
                + "input 'INPUT0': the engine's shape [-1,4] does not match the configured shape"
                + " [-1,5] (dims with the batch dimension in front)");
  }

  @Test
  void shouldAcceptFixedInputDimensionWhenTheEngineDimensionIsDynamic() {
    EngineDescription engine =
        new EngineDescription(
            List.of(
                FakeEngines.input("x", TrtDataTypes.INT32, -1, -1),
                FakeEngines.output("y", TrtDataTypes.INT32, -1, -1)),
            List.of(
                new OptimizationProfile(
                    0, Map.of("x", range(new long[] {1, 1}, new long[] {4, 64})))));
    ModelDefinition def =
        FakeEngines.definition(
            4, List.of(spec("x", DataType.INT32, 16)), List.of(spec("y", DataType.INT32, -1)));

    assertThatCode(() -> EngineConfigCheck.check(def, engine, FILE)).doesNotThrowAnyException();
  }

  @Test
  void shouldRefuseOutputWhenADimensionDiffersEvenIfTheEngineDimensionIsDynamic() {
    EngineDescription engine =
        new EngineDescription(
            List.of(
                FakeEngines.input("x", TrtDataTypes.INT32, -1, -1),
                FakeEngines.output("y", TrtDataTypes.INT32, -1, -1)),
            List.of(
                new OptimizationProfile(
                    0, Map.of("x", range(new long[] {1, 1}, new long[] {4, 64})))));
    ModelDefinition def =
        FakeEngines.definition(
            4, List.of(spec("x", DataType.INT32, -1)), List.of(spec("y", DataType.INT32, 16)));

    assertThatThrownBy(() -> EngineConfigCheck.check(def, engine, FILE))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("output 'y': the engine's shape [-1,-1]");
  }

  @Test
  void shouldRefuseScalarTensorWhenTheEngineHasOne() {
    EngineDescription engine =
        new EngineDescription(
            List.of(
                FakeEngines.input("x", TrtDataTypes.FLOAT),
                FakeEngines.output("y", TrtDataTypes.FLOAT, 1)),
            List.of());
    ModelDefinition def =
        FakeEngines.definition(
            0, List.of(spec("x", DataType.FP32, 1)), List.of(spec("y", DataType.FP32, 1)));

    assertThatThrownBy(() -> EngineConfigCheck.check(def, engine, FILE))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("input 'x' is a scalar (rank 0)");
  }

  @Test
  void shouldFindEveryBatchSizeCoveredWhenProfilesOverlapOrTouch() {
    List<OptimizationProfile> profiles =
        List.of(batchProfile(0, 5, 16), batchProfile(1, 1, 4), batchProfile(2, 3, 6));

    assertThat(EngineConfigCheck.firstUncoveredBatchSize(profiles, 16)).isZero();
  }

  @Test
  void shouldFindTheFirstGapWhenProfilesLeaveOne() {
    List<OptimizationProfile> profiles = List.of(batchProfile(0, 1, 2), batchProfile(1, 4, 8));

    assertThat(EngineConfigCheck.firstUncoveredBatchSize(profiles, 8)).isEqualTo(3);
  }

  @Test
  void shouldUseTheIntersectionOfInputsWhenAProfileHasSeveral() {
    OptimizationProfile twoInputs =
        new OptimizationProfile(
            0,
            Map.of(
                "a", range(new long[] {1, 2}, new long[] {8, 2}),
                "b", range(new long[] {1}, new long[] {4})));

    assertThat(EngineConfigCheck.firstUncoveredBatchSize(List.of(twoInputs), 8)).isEqualTo(5);
  }

  @Test
  void shouldFindBatchSizeOneUncoveredWhenThereIsNoProfile() {
    assertThat(EngineConfigCheck.firstUncoveredBatchSize(List.of(), 4)).isEqualTo(1);
  }

  private static OptimizationProfile batchProfile(int index, long min, long max) {
    return new OptimizationProfile(
        index, Map.of("x", range(new long[] {min, 3}, new long[] {max, 3})));
  }
}
