package io.tensorgate.server.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferenceCaptureTest {
  private final Feature amount = new Feature("amount", "INPUT0", false, false, -1, 1);
  private final Feature country = new Feature("country", "INPUT1", false, true, -1, 1);
  private final Feature label = new Feature("label", "OUTPUT0", true, false, -1, 1);

  @Test
  void shouldAskForMoreWhenFewerRequestsThanTheReferenceNeedsWereTaken() {
    ReferenceCapture capture = new ReferenceCapture(List.of(amount), 3, 4);

    assertThat(capture.add(new Object[] {new double[] {1}})).isFalse();
    assertThat(capture.add(new Object[] {new double[] {2}})).isFalse();
    assertThat(capture.requests()).isEqualTo(2);
  }

  @Test
  void shouldBeCompleteWhenTheLastNeededRequestIsTaken() {
    ReferenceCapture capture = new ReferenceCapture(List.of(amount), 2, 4);
    capture.add(new Object[] {new double[] {1}});

    assertThat(capture.add(new Object[] {new double[] {2}})).isTrue();
    assertThat(capture.requests()).isEqualTo(2);
  }

  @Test
  void shouldBinNumericAndCategoricalFeaturesWhenBothSawValues() {
    ReferenceCapture capture = new ReferenceCapture(List.of(amount, country), 1, 4);
    capture.add(new Object[] {new double[] {1, 2, 3, 4, 5, 6, 7, 8}, new String[] {"de", "fr"}});

    Map<Feature, Bins> reference = capture.reference();

    assertThat(reference.keySet()).containsExactly(amount, country);
    assertThat(reference.get(amount)).isInstanceOf(Bins.Numeric.class);
    assertThat(((Bins.Categorical) reference.get(country)).categories)
        .containsExactlyInAnyOrder("de", "fr");
  }

  @Test
  void shouldLeaveOutAFeatureWhenItsTensorWasNeverSeen() {
    ReferenceCapture capture = new ReferenceCapture(List.of(amount, label), 1, 4);
    capture.add(new Object[] {new double[] {1, 2, 3}, null});

    assertThat(capture.reference().keySet()).containsExactly(amount);
  }

  @Test
  void shouldKeepAtMostTheCapWhenRequestsCarryMoreValues() {
    ReferenceCapture capture = new ReferenceCapture(List.of(country), 2, 4);
    String[] many = new String[ReferenceCapture.MAX_VALUES];
    java.util.Arrays.fill(many, "de");
    capture.add(new Object[] {many});
    capture.add(new Object[] {new String[] {"fr"}});

    // "fr" came after the cap was reached, so it is no category of the reference.
    assertThat(((Bins.Categorical) capture.reference().get(country)).categories)
        .containsExactly("de");
  }
}
