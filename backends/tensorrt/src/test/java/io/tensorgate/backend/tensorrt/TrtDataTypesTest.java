package io.tensorgate.backend.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.DataType;
import org.junit.jupiter.api.Test;

class TrtDataTypesTest {
  @Test
  void shouldMapEveryTensorRtTypeThatTritonHas() {
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.FLOAT)).isEqualTo(DataType.FP32);
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.HALF)).isEqualTo(DataType.FP16);
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.INT8)).isEqualTo(DataType.INT8);
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.INT32)).isEqualTo(DataType.INT32);
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.BOOL)).isEqualTo(DataType.BOOL);
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.UINT8)).isEqualTo(DataType.UINT8);
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.BF16)).isEqualTo(DataType.BF16);
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.INT64)).isEqualTo(DataType.INT64);
  }

  @Test
  void shouldHaveNoDatatypeWhenTheTypeIsSubByteOrScaled() {
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.FP8)).isNull();
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.INT4)).isNull();
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.FP4)).isNull();
    assertThat(TrtDataTypes.toDataType(TrtDataTypes.E8M0)).isNull();
    assertThat(TrtDataTypes.toDataType(42)).isNull();
  }

  @Test
  void shouldNameTypesAsTensorRtDoes() {
    assertThat(TrtDataTypes.name(TrtDataTypes.FP8)).isEqualTo("kFP8");
    assertThat(TrtDataTypes.name(TrtDataTypes.INT64)).isEqualTo("kINT64");
    assertThat(TrtDataTypes.name(99)).isEqualTo("DataType(99)");
  }
}
