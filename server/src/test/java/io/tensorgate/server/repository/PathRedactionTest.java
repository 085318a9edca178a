package io.tensorgate.server.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PathRedactionTest {
  private final PathRedaction redaction =
      new PathRedaction(Path.of("/srv/models"), Path.of("/mnt/disk1/models"));

  @Test
  void shouldMakePathsInsideTheRepositoryRelativeToIt() {
    assertThat(
            redaction.redact(
                "Load model from /srv/models/simple/1/model.onnx failed: Protobuf parsing failed"))
        .isEqualTo("Load model from simple/1/model.onnx failed: Protobuf parsing failed");
    assertThat(redaction.redact("cannot read '/mnt/disk1/models/m/labels.txt'"))
        .isEqualTo("cannot read 'm/labels.txt'");
  }

  @Test
  void shouldNameOverrideFilesAsTheClientSentThemWhenAPathIsInTheOverrideFolder() {
    assertThat(
            redaction.redact(
                "Load model from /srv/models/.tensorgate/overrides/5d09076f-162b/simple-1/1/"
                    + "model.onnx failed; cannot load '/mnt/disk1/models/.tensorgate/overrides/"
                    + "5d09076f-162b/simple-1/1/labels.txt'"))
        .isEqualTo("Load model from 1/model.onnx failed; cannot load '1/labels.txt'");
  }

  @Test
  void shouldCutOtherAbsolutePathsToTheirLastName() {
    assertThat(
            redaction.redact(
                "the CUDA runtime did not load: /root/.javacpp/cache/cuda/libjnicudart.so:"
                    + " libcuda.so.1: cannot open shared object file"))
        .isEqualTo(
            "the CUDA runtime did not load: libjnicudart.so: libcuda.so.1: cannot open shared"
                + " object file");
  }

  @Test
  void shouldLeaveRelativeNamesAndFractionsAlone() {
    String message = "version 1: dims [16] vs [8] in 1/model.onnx, ratio 3/4";
    assertThat(redaction.redact(message)).isEqualTo(message);
  }

  @Test
  void shouldAnswerEmptyForNoMessage() {
    assertThat(redaction.redact(null)).isEmpty();
  }
}
