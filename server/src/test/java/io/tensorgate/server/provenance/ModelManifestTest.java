package io.tensorgate.server.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.proto.inference.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest's canonical text: what a signature covers, byte for byte. */
class ModelManifestTest {
  private static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @TempDir Path dir;

  @Test
  void shouldListEveryFileSortedWithItsSha256AndLeaveOutTheSignature() throws Exception {
    Files.createDirectories(dir.resolve("b"));
    Files.writeString(dir.resolve("b/z.bin"), "");
    Files.writeString(dir.resolve("a.onnx"), "");
    Files.writeString(dir.resolve(ModelManifest.SIGNATURE_FILE), "ignored");
    ModelConfig config = ModelConfig.newBuilder().setName("m").setMaxBatchSize(4).build();

    ModelManifest m = ModelManifest.of("m", 3, config, dir);

    assertThat(m.text())
        .isEqualTo(
            "tensorgate model manifest v1\n"
                + "model m\n"
                + "version 3\n"
                + "config "
                + ModelManifest.configDigest(config)
                + "\n"
                + "file "
                + EMPTY_SHA256
                + " a.onnx\n"
                + "file "
                + EMPTY_SHA256
                + " b/z.bin\n");
  }

  @Test
  void shouldHashTheConfigurationWithoutItsName() {
    ModelConfig a = ModelConfig.newBuilder().setName("a").setMaxBatchSize(4).build();
    ModelConfig b = ModelConfig.newBuilder().setMaxBatchSize(4).build();

    assertThat(ModelManifest.configDigest(a)).isEqualTo(ModelManifest.configDigest(b));
    assertThat(ModelManifest.configDigest(a))
        .isNotEqualTo(ModelManifest.configDigest(b.toBuilder().setMaxBatchSize(8).build()));
  }

  @Test
  void shouldParseItsOwnText() throws Exception {
    Files.writeString(dir.resolve("model.onnx"), "x");
    ModelManifest m = ModelManifest.of("m", 1, ModelConfig.getDefaultInstance(), dir);

    assertThat(ModelManifest.parse(m.text())).isEqualTo(m);
  }

  @Test
  void shouldRefuseTextThatIsNotCanonical() throws Exception {
    Files.writeString(dir.resolve("model.onnx"), "x");
    String text = ModelManifest.of("m", 1, ModelConfig.getDefaultInstance(), dir).text();

    assertThatThrownBy(() -> ModelManifest.parse(text.replace("version 1", "version 01")))
        .isInstanceOf(ModelManifest.ManifestException.class)
        .hasMessage("the manifest is not in canonical form");
  }

  @Test
  void shouldRefuseAFileNameWithANewline() throws Exception {
    Files.writeString(dir.resolve("a\nfile x"), "");

    assertThatThrownBy(() -> ModelManifest.of("m", 1, ModelConfig.getDefaultInstance(), dir))
        .isInstanceOf(ModelManifest.ManifestException.class)
        .hasMessage("file name 'a?file x' has a control character and cannot be signed");
  }
}
