package io.tensorgate.backend.onnxruntime;

import static io.tensorgate.backend.onnxruntime.TestModels.definition;
import static io.tensorgate.backend.onnxruntime.TestModels.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.TensorSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrtModelLoadTest {
  private static final List<TensorSpec> ADD_SUB_OUTPUTS =
      List.of(spec("OUTPUT0", DataType.INT32, 16), spec("OUTPUT1", DataType.INT32, 16));

  private final OnnxRuntimeBackendProvider provider = new OnnxRuntimeBackendProvider();

  private static ModelDefinition addSubWith(
      int maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    return definition("add_sub_int32.onnx", maxBatchSize, inputs, outputs, Map.of());
  }

  @Test
  void shouldLoadWhenTheConfigurationMatchesTheFile() throws Exception {
    try (Model model = provider.load(TestModels.addSub())) {
      assertThat(model.definition()).isEqualTo(TestModels.addSub());
    }
  }

  @Test
  void shouldLoadWhenTheConfigurationListsSomeOfTheOutputs() throws Exception {
    ModelDefinition definition =
        addSubWith(
            8,
            List.of(spec("INPUT0", DataType.INT32, 16), spec("INPUT1", DataType.INT32, 16)),
            List.of(spec("OUTPUT1", DataType.INT32, 16)));

    try (Model model = provider.load(definition)) {
      assertThat(model.definition().outputs()).hasSize(1);
    }
  }

  @Test
  void shouldLoadWhenAModelWithoutBatchingGivesTheFullShape() throws Exception {
    ModelDefinition definition =
        addSubWith(
            0,
            List.of(spec("INPUT0", DataType.INT32, -1, 16), spec("INPUT1", DataType.INT32, 4, 16)),
            List.of(spec("OUTPUT0", DataType.INT32, -1, 16)));

    try (Model model = provider.load(definition)) {
      assertThat(model.definition().batching()).isFalse();
    }
  }

  @Test
  void shouldNameTheInputWhenTheConfigurationHasOneTheFileLacks() {
    ModelDefinition definition =
        addSubWith(
            8,
            List.of(spec("INPUT0", DataType.INT32, 16), spec("INPUTX", DataType.INT32, 16)),
            ADD_SUB_OUTPUTS);

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("unable to load model 'add_sub_int32'")
        .hasMessageContaining("configuration input 'INPUTX' is not an input of the model")
        .hasMessageContaining("[INPUT0, INPUT1]");
  }

  @Test
  void shouldCountInputsWhenTheConfigurationOmitsOne() {
    ModelDefinition definition =
        addSubWith(8, List.of(spec("INPUT0", DataType.INT32, 16)), ADD_SUB_OUTPUTS);

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("the configuration has 1 inputs but the model has 2");
  }

  @Test
  void shouldNameTheOutputWhenTheFileLacksIt() {
    ModelDefinition definition =
        addSubWith(
            8,
            List.of(spec("INPUT0", DataType.INT32, 16), spec("INPUT1", DataType.INT32, 16)),
            List.of(spec("OUTPUT2", DataType.INT32, 16)));

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("configuration output 'OUTPUT2' is not an output of the model");
  }

  @Test
  void shouldNameBothDatatypesWhenTheyDisagree() {
    ModelDefinition definition =
        addSubWith(
            8,
            List.of(spec("INPUT0", DataType.INT32, 16), spec("INPUT1", DataType.FP32, 16)),
            ADD_SUB_OUTPUTS);

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining(
            "configuration expects datatype TYPE_FP32 for input 'INPUT1', model provides"
                + " TYPE_INT32");
  }

  @Test
  void shouldShowBothShapesWhenAFixedDimensionDisagrees() {
    ModelDefinition definition =
        addSubWith(
            8,
            List.of(spec("INPUT0", DataType.INT32, 8), spec("INPUT1", DataType.INT32, 16)),
            ADD_SUB_OUTPUTS);

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining(
            "input 'INPUT0': the model's shape [-1,16] does not match the configured shape"
                + " [-1,8]");
  }

  @Test
  void shouldRejectAVariableOutputDimensionWhereTheFileFixesIt() {
    ModelDefinition definition =
        addSubWith(
            8,
            List.of(spec("INPUT0", DataType.INT32, 16), spec("INPUT1", DataType.INT32, 16)),
            List.of(spec("OUTPUT0", DataType.INT32, -1)));

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("output 'OUTPUT0': the model's shape [-1,16]")
        .hasMessageContaining("configured shape [-1,-1]");
  }

  @Test
  void shouldRejectBatchingWhenTheFileFixesTheFirstDimension() {
    ModelDefinition definition =
        definition(
            "identity_fp32_fixed.onnx",
            4,
            List.of(spec("INPUT0", DataType.FP32, 3)),
            List.of(spec("OUTPUT0", DataType.FP32, 3)),
            Map.of());

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("input 'INPUT0': for the model to support batching")
        .hasMessageContaining("[2,3]");
  }

  @Test
  void shouldRejectBatchingWhenATensorIsAScalar() {
    ModelDefinition definition =
        definition(
            "scalar_double.onnx",
            4,
            List.of(spec("INPUT0", DataType.FP32, 1)),
            List.of(spec("OUTPUT0", DataType.FP32, 1)),
            Map.of());

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("input 'INPUT0' is a scalar in the model");
  }

  @Test
  void shouldRejectUnsignedInputsThatTheJavaApiCannotCreate() {
    ModelDefinition definition = TestModels.identity(DataType.UINT32, true);

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("input 'INPUT0' is UINT32, which ONNX Runtime's Java API cannot");
  }

  @Test
  void shouldNameTheParameterWhenItsValueDoesNotParse() {
    ModelDefinition definition = TestModels.addSub(Map.of("intra_op_thread_count", "many"));

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("parameter 'intra_op_thread_count'")
        .hasMessageContaining("'many'");
  }

  @Test
  void shouldRejectAnExecutionModeOtherThanZeroOrOne() {
    ModelDefinition definition = TestModels.addSub(Map.of("execution_mode", "2"));

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("parameter 'execution_mode' must be 0 (sequential) or 1");
  }

  @Test
  void shouldLoadWhenEveryTritonSessionParameterIsSet() throws Exception {
    ModelDefinition definition =
        TestModels.addSub(
            Map.of(
                "intra_op_thread_count", "2",
                "inter_op_thread_count", "2",
                "execution_mode", "1",
                "enable_mem_arena", "on",
                "enable_mem_pattern", "FALSE",
                "session.use_device_allocator_for_initializers", "1",
                "memory.enable_memory_arena_shrinkage", "cpu:0"));

    try (Model model = provider.load(definition);
        ModelInstance instance = model.newInstance(InstancePlacement.cpu("add_sub_0"))) {
      assertThat(instance.execute(TestModels.addSubBatch(1, true, List.of())).outputs()).hasSize(2);
    }
  }

  @Test
  void shouldPassArenaSettingsToOnnxRuntimeWhenConfigured() throws Exception {
    // Shrinking the CPU arena after each run fails in ONNX Runtime when the arena is disabled.
    ModelDefinition definition =
        TestModels.addSub(
            Map.of("enable_mem_arena", "0", "memory.enable_memory_arena_shrinkage", "cpu:0"));

    try (Model model = provider.load(definition);
        ModelInstance instance = model.newInstance(InstancePlacement.cpu("add_sub_0"))) {
      assertThatThrownBy(() -> instance.execute(TestModels.addSubBatch(1, true, List.of())))
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("Did not find an arena based allocator");
    }
  }

  @Test
  void shouldNameTheFileWhenItIsCorrupt() {
    ModelDefinition definition = definition("corrupt.onnx", 0, List.of(), List.of(), Map.of());

    assertThatThrownBy(() -> provider.load(definition))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("cannot load " + definition.modelFile() + " as an ONNX model")
        .hasMessageContaining("Protobuf parsing failed");
  }

  @Test
  void shouldRefuseAGpuInstanceWhenAskedForOne() throws Exception {
    try (Model model = provider.load(TestModels.addSub())) {
      InstancePlacement gpu = new InstancePlacement("add_sub_0", InstancePlacement.Kind.GPU, 0);

      assertThatThrownBy(() -> model.newInstance(gpu))
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("ONNX Runtime backend in this build runs on CPU only");
    }
  }

  @Test
  void shouldCreateInstancesBeyondTheFirstWhenAskedForSeveral() throws Exception {
    try (Model model = provider.load(TestModels.addSub());
        ModelInstance first = model.newInstance(InstancePlacement.cpu("add_sub_0"));
        ModelInstance second =
            model.newInstance(
                new InstancePlacement("add_sub_1", InstancePlacement.Kind.MODEL, -1))) {
      assertThat(first.execute(TestModels.addSubBatch(1, true, List.of())).outputs()).hasSize(2);
      assertThat(second.execute(TestModels.addSubBatch(1, true, List.of())).outputs()).hasSize(2);
      assertThat(second.placement().name()).isEqualTo("add_sub_1");
    }
  }

  @Test
  void shouldDoNothingWhenClosedTwice() throws Exception {
    Model model = provider.load(TestModels.addSub());
    ModelInstance instance = model.newInstance(InstancePlacement.cpu("add_sub_0"));

    instance.close();
    instance.close();
    model.close();
    model.close();

    assertThatThrownBy(() -> model.newInstance(InstancePlacement.cpu("add_sub_1")))
        .isInstanceOf(IllegalStateException.class);
  }
}
