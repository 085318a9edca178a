package io.tensorgate.client.e2e;

import io.tensorgate.server.TestRepository;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** The digit examples committed under {@code models/<model>/examples/}. */
final class Digits {
  static final Path EXAMPLES = TestRepository.PROJECT.resolve("models/cnn_digits/examples");

  private Digits() {}

  /** The committed files with this extension, sorted. */
  static List<Path> examples(Path folder, String extension) {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> p.toString().endsWith(extension)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The digit a file's name says it shows: {@code digit_7.png} shows 7. */
  static int digitOf(Path file) {
    String name = file.getFileName().toString();
    return Integer.parseInt(name.substring("digit_".length(), name.indexOf('.')));
  }

  /** A 28x28 8-bit grayscale PNG as the model's input: ink in [0, 1], row-major. */
  static float[] pixels(Path png) throws IOException {
    BufferedImage image = ImageIO.read(png.toFile());
    Raster r = image.getRaster();
    float[] out = new float[image.getWidth() * image.getHeight()];
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        out[y * image.getWidth() + x] = r.getSample(x, y, 0) / 255f;
      }
    }
    return out;
  }
}
