package io.tensorgate.backend.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TensorRtVersionsTest {
  @Test
  void shouldAcceptTheVersionTheGlueWasBuiltForAndLaterTenX() {
    assertThat(TensorRtVersions.supported(101501)).isTrue();
    assertThat(TensorRtVersions.supported(101600)).isTrue();
    assertThat(TensorRtVersions.supported(109900)).isTrue();
  }

  @Test
  void shouldRefuseEarlierTenXAndOtherMajorVersions() {
    assertThat(TensorRtVersions.supported(101401)).isFalse();
    assertThat(TensorRtVersions.supported(100000)).isFalse();
    assertThat(TensorRtVersions.supported(110000)).isFalse();
    assertThat(TensorRtVersions.supported(80601)).isFalse();
  }

  @Test
  void shouldSayWhichVersionsWorkWhenRefusing() {
    assertThat(TensorRtVersions.refusal(101302))
        .isEqualTo(
            "TensorRT 10.13.2 was found, but this build needs TensorRT 10.15 or a later 10.x (its"
                + " JNI glue was compiled against 10.15)");
  }
}
