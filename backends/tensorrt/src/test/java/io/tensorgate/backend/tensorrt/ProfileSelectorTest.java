package io.tensorgate.backend.tensorrt;

import static io.tensorgate.backend.tensorrt.FakeEngines.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileSelectorTest {
  /** Profile 0: batch 1..4, sequence 1..128; profile 1: batch 1..16, sequence 1..32. */
  private final ProfileSelector selector =
      new ProfileSelector(
          List.of(
              new OptimizationProfile(
                  0, Map.of("ids", range(new long[] {1, 1}, new long[] {4, 128}))),
              new OptimizationProfile(
                  1, Map.of("ids", range(new long[] {1, 1}, new long[] {16, 32})))));

  @Test
  void shouldKeepTheCurrentProfileWhenItAcceptsTheShapes() {
    assertThat(selector.select(Map.of("ids", new long[] {2, 16}), 1)).isEqualTo(1);
  }

  @Test
  void shouldChooseTheLowestAcceptingProfileWhenTheCurrentOneDoesNotAccept() {
    assertThat(selector.select(Map.of("ids", new long[] {3, 100}), 1)).isZero();
    assertThat(selector.select(Map.of("ids", new long[] {12, 20}), 0)).isEqualTo(1);
  }

  @Test
  void shouldFindNoProfileWhenEveryRangeIsExceeded() {
    assertThat(selector.select(Map.of("ids", new long[] {12, 100}), -1)).isEqualTo(-1);
  }

  @Test
  void shouldFindNoProfileWhenTheRankDiffers() {
    assertThat(selector.select(Map.of("ids", new long[] {2}), -1)).isEqualTo(-1);
  }

  @Test
  void shouldFindNoProfileWhenAnInputIsUnknown() {
    assertThat(selector.select(Map.of("other", new long[] {2, 2}), -1)).isEqualTo(-1);
  }

  @Test
  void shouldRefuseARequestWithInvalidArgumentWhenNoProfileAcceptsItsShapes() {
    Tensor ids = new Tensor("ids", DataType.INT32, new long[] {12, 100}, ByteBuffer.allocate(4800));

    assertThatThrownBy(() -> selector.check("bert", List.of(ids)))
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageStartingWith("input shapes {ids: [12,100]} fit no optimization profile");
  }

  @Test
  void shouldAcceptARequestWhenSomeProfileAcceptsItsShapes() {
    Tensor ids = new Tensor("ids", DataType.INT32, new long[] {12, 20}, ByteBuffer.allocate(960));

    assertThatCode(() -> selector.check("bert", List.of(ids))).doesNotThrowAnyException();
  }

  @Test
  void shouldExplainARejectionWithTheShapesAndEveryProfile() {
    assertThat(selector.rejection("bert", Map.of("ids", new long[] {12, 100})))
        .isEqualTo(
            "input shapes {ids: [12,100]} fit no optimization profile of model 'bert':"
                + " [profile 0 {ids: [1,1]..[4,128] (opt [1,1])},"
                + " profile 1 {ids: [1,1]..[16,32] (opt [1,1])}]");
  }
}
