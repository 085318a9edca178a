/*
 * Classifies handwritten digits with the sample model cnn_digits, through tensorgate-client.
 *
 *   scripts/client-example [host:port] [image.png ...]
 *
 * Defaults: 127.0.0.1:8001 and every image in models/cnn_digits/examples/. Prints one line per
 * image: the predicted digit, its label and its probability. Any image works: it is turned gray,
 * scaled to 28x28 and, when its background is light, inverted (the model reads light ink on dark,
 * like MNIST); digits that fill most of the frame, centred, are read best.
 */
import io.tensorgate.client.Classification;
import io.tensorgate.client.InferInput;
import io.tensorgate.client.InferRequest;
import io.tensorgate.client.InferenceServerException;
import io.tensorgate.client.RequestedOutput;
import io.tensorgate.client.TensorgateClient;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

public final class ClassifyDigit {
  private static final int SIZE = 28;

  public static void main(String[] args) throws IOException {
    int first = args.length > 0 && !Files.isRegularFile(Path.of(args[0])) ? 1 : 0;
    String target = first == 1 ? args[0] : "127.0.0.1:8001";
    List<Path> images = new ArrayList<>();
    for (int i = first; i < args.length; i++) {
      images.add(Path.of(args[i]));
    }
    if (images.isEmpty()) {
      try (Stream<Path> s = Files.list(Path.of("models/cnn_digits/examples"))) {
        s.filter(p -> p.toString().endsWith(".png")).sorted().forEach(images::add);
      }
    }
    boolean failed = false;
    try (TensorgateClient client =
        TensorgateClient.builder(target).defaultDeadline(Duration.ofSeconds(10)).build()) {
      for (Path image : images) {
        float[] pixels;
        try {
          pixels = pixels(image);
        } catch (IOException e) {
          System.err.println(image + ": " + e.getMessage());
          failed = true;
          continue;
        }
        InferRequest request =
            InferRequest.builder("cnn_digits")
                .input(InferInput.of("image", pixels, 1, 1, SIZE, SIZE))
                .output(RequestedOutput.classification("probabilities", 1))
                .build();
        Classification best =
            client.infer(request).output("probabilities").asClassifications().get(0);
        System.out.printf(
            "%s: %d (%s), probability %.4f%n",
            image.getFileName(), best.index(), best.label(), best.score());
      }
    } catch (InferenceServerException e) {
      System.err.println("cnn_digits on " + target + " failed: " + e.getMessage());
      failed = true;
    }
    System.exit(failed ? 1 : 0);
  }

  /** The image as 28x28 ink values in [0, 1], row-major: gray, scaled, light ink on dark. */
  static float[] pixels(Path file) throws IOException {
    BufferedImage source = ImageIO.read(file.toFile());
    if (source == null) {
      throw new IOException("not an image Java can read");
    }
    BufferedImage gray = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = gray.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(source, 0, 0, SIZE, SIZE, null);
    g.dispose();
    float[] ink = new float[SIZE * SIZE];
    gray.getRaster().getPixels(0, 0, SIZE, SIZE, ink);
    float border = 0;
    for (int i = 0; i < SIZE; i++) {
      border += ink[i] + ink[(SIZE - 1) * SIZE + i] + ink[i * SIZE] + ink[i * SIZE + SIZE - 1];
    }
    boolean lightBackground = border / (4 * SIZE) > 127;
    for (int i = 0; i < ink.length; i++) {
      ink[i] = (lightBackground ? 255 - ink[i] : ink[i]) / 255f;
    }
    return ink;
  }
}
