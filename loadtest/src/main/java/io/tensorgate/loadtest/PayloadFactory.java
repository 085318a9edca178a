package io.tensorgate.loadtest;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Builds the payloads a run cycles through: one payload of random data generated once (as
 * perf_analyzer does), or one payload per input-data entry. With batch size B, a payload built from
 * input data concatenates B consecutive entries (wrapping around), each being one batch element.
 */
final class PayloadFactory {

  private final ModelSignature signature;
  private final int batchSize;
  private final Map<String, List<Long>> shapeOverrides;

  /**
   * @param signature the model's signature
   * @param batchSize requests' batch size; must be 1 for a model that does not batch
   * @param shapeOverrides {@code --shape} values by input name, without the batch dimension
   */
  PayloadFactory(ModelSignature signature, int batchSize, Map<String, List<Long>> shapeOverrides) {
    this.signature = Objects.requireNonNull(signature, "signature");
    this.shapeOverrides = Map.copyOf(Objects.requireNonNull(shapeOverrides, "shapeOverrides"));
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (!signature.batches() && batchSize != 1) {
      throw new IllegalArgumentException(
          "model '"
              + signature.name()
              + "' does not batch (max_batch_size 0); batch size must be 1");
    }
    if (signature.batches() && batchSize > signature.maxBatchSize()) {
      throw new IllegalArgumentException(
          "batch size " + batchSize + " exceeds max_batch_size " + signature.maxBatchSize());
    }
    for (String name : shapeOverrides.keySet()) {
      if (signature.inputs().stream().noneMatch(s -> s.name().equals(name))) {
        throw new IllegalArgumentException("--shape names unknown input '" + name + "'");
      }
    }
    this.batchSize = batchSize;
  }

  /** One payload of random contents, seeded so runs are repeatable. */
  List<Payload> random(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Payload.Input> inputs = new ArrayList<>();
    for (TensorSpec spec : signature.inputs()) {
      List<Long> shape = elementShape(spec, null);
      long count = Math.multiplyExact(Shapes.elementCount(shape), batchSize);
      byte[] raw = TensorEncoding.random(spec.wireType(), count, random);
      inputs.add(
          new Payload.Input(
              spec.name(), spec.datatype(), fullShape(shape), ByteString.copyFrom(raw)));
    }
    return List.of(new Payload(inputs));
  }

  /**
   * One payload of zeros (empty strings for BYTES), as perf_analyzer's {@code --input-data zero}.
   */
  List<Payload> zero() {
    List<Payload.Input> inputs = new ArrayList<>();
    for (TensorSpec spec : signature.inputs()) {
      List<Long> shape = elementShape(spec, null);
      long count = Math.multiplyExact(Shapes.elementCount(shape), batchSize);
      // A BYTES element of length 0 is its 4-byte length prefix, all zeros.
      int elementSize = spec.wireType().isFixedSize() ? spec.wireType().elementSize() : 4;
      byte[] raw = new byte[Math.toIntExact(Math.multiplyExact(count, elementSize))];
      inputs.add(
          new Payload.Input(
              spec.name(), spec.datatype(), fullShape(shape), ByteString.copyFrom(raw)));
    }
    return List.of(new Payload(inputs));
  }

  /** One payload per entry of perf_analyzer-format input data. */
  List<Payload> fromData(List<Map<String, InputDataFile.Value>> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("input data has no entries");
    }
    List<Payload> payloads = new ArrayList<>(entries.size());
    for (int first = 0; first < entries.size(); first++) {
      List<Payload.Input> inputs = new ArrayList<>();
      for (TensorSpec spec : signature.inputs()) {
        inputs.add(batchedInput(spec, entries, first));
      }
      payloads.add(new Payload(inputs));
    }
    return payloads;
  }

  private Payload.Input batchedInput(
      TensorSpec spec, List<Map<String, InputDataFile.Value>> entries, int first) {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    List<Long> shape = null;
    for (int b = 0; b < batchSize; b++) {
      int index = (first + b) % entries.size();
      InputDataFile.Value value = entries.get(index).get(spec.name());
      if (value == null) {
        throw new IllegalArgumentException(
            "input data entry " + index + " has no value for input '" + spec.name() + "'");
      }
      List<Long> elementShape = elementShape(spec, value.shape());
      if (shape != null && !shape.equals(elementShape)) {
        throw new IllegalArgumentException(
            "input '"
                + spec.name()
                + "': entries batched together have shapes "
                + shape
                + " and "
                + elementShape);
      }
      shape = elementShape;
      byte[] bytes = value.bytes(spec.wireType());
      checkSize(spec, index, elementShape, bytes);
      raw.writeBytes(bytes);
    }
    return new Payload.Input(
        spec.name(), spec.datatype(), fullShape(shape), ByteString.copyFrom(raw.toByteArray()));
  }

  private static void checkSize(TensorSpec spec, int index, List<Long> shape, byte[] bytes) {
    WireType type = spec.wireType();
    long expected = Shapes.elementCount(shape);
    long actual = TensorEncoding.elementCount(type, bytes);
    if (expected != actual || (type.isFixedSize() && bytes.length % type.elementSize() != 0)) {
      throw new IllegalArgumentException(
          "input data entry "
              + index
              + ", input '"
              + spec.name()
              + "': shape "
              + shape
              + " needs "
              + expected
              + " elements, got "
              + bytes.length
              + " bytes ("
              + actual
              + " elements)");
    }
  }

  /** Shape of one batch element: the entry's own shape, else --shape, else the metadata's. */
  private List<Long> elementShape(TensorSpec spec, List<Long> fromEntry) {
    List<Long> shape =
        fromEntry != null ? fromEntry : shapeOverrides.getOrDefault(spec.name(), spec.shape());
    if (!Shapes.isFullyKnown(shape)) {
      throw new IllegalArgumentException(
          "input '"
              + spec.name()
              + "' has variable shape "
              + spec.shape()
              + "; give --shape "
              + spec.name()
              + ":d1,d2,...");
    }
    return shape;
  }

  private List<Long> fullShape(List<Long> elementShape) {
    return signature.batches() ? Shapes.prepend(batchSize, elementShape) : elementShape;
  }

  /** Parses repeated {@code --shape NAME:d1,d2} values. */
  static Map<String, List<Long>> parseShapes(List<String> values) {
    Map<String, List<Long>> shapes = new HashMap<>();
    for (String value : values) {
      int colon = value.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            "--shape expects NAME:d1,d2,... but got '" + value + "'");
      }
      shapes.put(value.substring(0, colon), Shapes.parseDims(value.substring(colon + 1)));
    }
    return shapes;
  }
}
