package io.tensorgate.backend;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Checks a model's configuration against what its file declares, with the rules Triton's backends
 * share: the configuration names every declared input (and only those) and some or all of the
 * declared outputs, with the same datatypes; a batching model's tensors have a variable first
 * dimension; for inputs every fixed declared dimension matches the configuration, for outputs every
 * dimension does. What differs between backends (a scalar tensor, a datatype its runtime cannot
 * create) is the backend's {@link Rules}.
 *
 * <p>Messages start with {@code unable to load model '<name>' from <file>: } and call the file's
 * side by the word the backend gives ({@code model}, {@code engine}).
 */
public final class SignatureCheck {
  private final ModelDefinition definition;
  private final ModelSignature declared;
  private final String side;
  private final Path file;

  /**
   * @param side what the backend calls the file's side in messages, e.g. {@code model}
   * @param file the model file, named in messages
   */
  public SignatureCheck(
      ModelDefinition definition, ModelSignature declared, String side, Path file) {
    this.definition = Objects.requireNonNull(definition, "definition");
    this.declared = Objects.requireNonNull(declared, "declared");
    this.side = Objects.requireNonNull(side, "side");
    this.file = Objects.requireNonNull(file, "file");
  }

  /** What a backend adds to the shared rules. */
  public interface Rules {
    /**
     * Called for each configured tensor once its name and datatype matched the file.
     *
     * @throws BackendException (made with {@link #failure}) to refuse the tensor
     */
    default void tensor(TensorSpec configured, boolean input) throws BackendException {}

    /**
     * Called for a tensor the file declares as a scalar (rank 0), instead of the shape rules.
     *
     * @throws BackendException (made with {@link #failure}) to refuse it
     */
    void scalar(TensorSpec configured, boolean input) throws BackendException;
  }

  /**
   * @throws BackendException naming the first tensor whose configuration the file contradicts
   */
  public void check(Rules rules) throws BackendException {
    Objects.requireNonNull(rules, "rules");
    if (definition.inputs().size() != declared.inputs().size()) {
      throw failure(
          "the configuration has "
              + definition.inputs().size()
              + " inputs but the "
              + side
              + " has "
              + declared.inputs().size()
              + " "
              + names(declared.inputs()));
    }
    for (TensorSpec configured : definition.inputs()) {
      check(configured, find(declared.inputs(), configured, "input"), true, rules);
    }
    for (TensorSpec configured : definition.outputs()) {
      check(configured, find(declared.outputs(), configured, "output"), false, rules);
    }
  }

  /** A refusal: {@code what} after the model's name and file. */
  public BackendException failure(String what) {
    return new BackendException(
        "unable to load model '" + definition.name() + "' from " + file + ": " + what);
  }

  private void check(TensorSpec configured, TensorSpec actual, boolean input, Rules rules)
      throws BackendException {
    String role = input ? "input" : "output";
    if (configured.dataType() != actual.dataType()) {
      throw failure(
          "configuration expects datatype TYPE_"
              + configured.dataType()
              + " for "
              + role
              + " '"
              + configured.name()
              + "', "
              + side
              + " provides TYPE_"
              + actual.dataType());
    }
    rules.tensor(configured, input);
    long[] shape = actual.shape();
    if (shape.length == 0) {
      rules.scalar(configured, input);
      return;
    }
    if (definition.batching() && shape[0] != -1) {
      throw failure(
          role
              + " '"
              + configured.name()
              + "': for the model to support batching (max_batch_size > 0) its first dimension"
              + " must be dynamic (-1), but the "
              + side
              + "'s shape is "
              + Shapes.toString(shape));
    }
    long[] dims = configured.shape();
    long[] full = definition.batching() ? Shapes.prepend(-1, dims) : dims;
    if (!compatible(shape, full, !input)) {
      throw failure(
          role
              + " '"
              + configured.name()
              + "': the "
              + side
              + "'s shape "
              + Shapes.toString(shape)
              + " does not match the configured shape "
              + Shapes.toString(full)
              + (definition.batching() ? " (dims with the batch dimension in front)" : ""));
    }
  }

  private TensorSpec find(List<TensorSpec> tensors, TensorSpec configured, String role)
      throws BackendException {
    for (TensorSpec spec : tensors) {
      if (spec.name().equals(configured.name())) {
        return spec;
      }
    }
    throw failure(
        "configuration "
            + role
            + " '"
            + configured.name()
            + "' is not an "
            + role
            + " of the "
            + side
            + ", whose "
            + role
            + "s are "
            + names(tensors));
  }

  /**
   * Triton's rule: where {@code exact} is false, a variable declared dimension accepts any size.
   */
  private static boolean compatible(long[] declared, long[] full, boolean exact) {
    if (declared.length != full.length) {
      return false;
    }
    for (int i = 0; i < full.length; i++) {
      if ((exact || declared[i] != -1) && declared[i] != full[i]) {
        return false;
      }
    }
    return true;
  }

  private static String names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).collect(Collectors.joining(", ", "[", "]"));
  }
}
