package example;

import io.tensorgate.client.Classification;
import io.tensorgate.client.InferInput;
import io.tensorgate.client.InferRequest;
import io.tensorgate.client.InferResult;
import io.tensorgate.client.RequestedOutput;
import io.tensorgate.client.TensorgateClient;
import java.io.File;
import javax.imageio.ImageIO;

/**
 * The quick start of tensorgate-client's README as a program: classifies a 28x28 digit image with
 * the sample model cnn_digits. Arguments: the server ({@code host:port}) and the image.
 */
public final class Quickstart {
  public static void main(String[] args) throws Exception {
    String target = args.length > 0 ? args[0] : "127.0.0.1:8001";
    String image = args.length > 1 ? args[1] : "../../../models/cnn_digits/examples/digit_3.png";

    try (TensorgateClient client = TensorgateClient.builder(target).build()) {
      float[] pixels = new float[28 * 28];
      ImageIO.read(new File(image)).getRaster().getPixels(0, 0, 28, 28, pixels);
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] /= 255; // ink in [0, 1]
      }
      InferResult result =
          client.infer(
              InferRequest.builder("cnn_digits")
                  .input(InferInput.of("image", pixels, 1, 1, 28, 28))
                  .output(RequestedOutput.classification("probabilities", 1))
                  .build());
      Classification best = result.output("probabilities").asClassifications().get(0);
      System.out.printf("digit %d (probability %.3f)%n", best.index(), best.score());
    }
  }
}
