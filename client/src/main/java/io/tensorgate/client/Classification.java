package io.tensorgate.client;

/**
 * One of the top classes a classification output returns (Triton's {@code "score:index[:label]"}).
 *
 * @param score the output's value for the class (a probability for a softmax output)
 * @param index the class's position in the output
 * @param label the class's line in the output's {@code label_filename}; empty when it has none
 */
public record Classification(float score, int index, String label) {
  /**
   * Parses Triton's {@code "score:index[:label]"}; the label may itself contain colons.
   *
   * @throws IllegalArgumentException when the text is not in that form
   */
  public static Classification parse(String text) {
    String[] parts = text.split(":", 3);
    if (parts.length < 2) {
      throw new IllegalArgumentException(
          "classification '" + Shapes.clip(text) + "' is not score:index[:label]");
    }
    try {
      return new Classification(
          Float.parseFloat(parts[0]),
          Integer.parseInt(parts[1]),
          parts.length == 3 ? parts[2] : "");
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "classification '" + Shapes.clip(text) + "' is not score:index[:label]", e);
    }
  }
}
