package io.tensorgate.server.repository;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.Tensor;
import io.tensorgate.backend.TensorSpec;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelWarmup.Input;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a config's {@code model_warmup} samples on every instance before the version is READY, as
 * Triton does. Inputs the sample does not name (e.g. sequence controls) get zeros.
 */
final class ModelWarmup {
  private static final Logger log = LoggerFactory.getLogger(ModelWarmup.class);

  /** Warm-up tensors larger than this are refused instead of allocated. */
  static final long MAX_WARMUP_BYTES = 256L << 20;

  private ModelWarmup() {}

  static void run(
      ModelConfig config, RepositoryLayout layout, Path modelDir, List<ModelInstance> instances)
      throws ModelLoader.LoadException {
    List<TensorSpec> inputs = SchedulerConfigs.backendInputSpecs(config);
    List<String> outputs =
        SchedulerConfigs.backendOutputSpecs(config).stream().map(TensorSpec::name).toList();
    for (io.tensorgate.proto.inference.ModelWarmup sample : config.getModelWarmupList()) {
      Batch batch = batch(config, layout, modelDir, sample, inputs, outputs);
      int count = Math.max(1, sample.getCount());
      for (ModelInstance instance : instances) {
        for (int i = 0; i < count; i++) {
          try {
            instance.execute(batch);
          } catch (BackendException | RuntimeException e) {
            throw new ModelLoader.LoadException(
                "model_warmup '"
                    + sample.getName()
                    + "' failed on instance "
                    + instance.placement().name()
                    + ": "
                    + e.getMessage(),
                e);
          }
        }
      }
      log.info(
          "model '{}': warm-up sample '{}' ran {} time(s) on {} instance(s)",
          config.getName(),
          sample.getName(),
          count,
          instances.size());
    }
  }

  private static Batch batch(
      ModelConfig config,
      RepositoryLayout layout,
      Path modelDir,
      io.tensorgate.proto.inference.ModelWarmup sample,
      List<TensorSpec> inputs,
      List<String> outputs)
      throws ModelLoader.LoadException {
    int batchSize = Math.max(1, sample.getBatchSize());
    boolean batching = config.getMaxBatchSize() > 0;
    Random random = new Random(42);
    List<Tensor> tensors = new ArrayList<>();
    for (TensorSpec spec : inputs) {
      Input in = sample.getInputsMap().get(spec.name());
      long[] dims = in != null ? SchedulerConfigs.dims(in.getDimsList()) : fixedDims(spec);
      long[] shape = batching ? Shapes.prepend(batchSize, dims) : dims;
      DataType type = spec.dataType();
      long elements;
      try {
        elements = Shapes.elementCount(shape);
      } catch (ArithmeticException e) {
        throw new ModelLoader.LoadException(
            "model_warmup '"
                + sample.getName()
                + "' input '"
                + spec.name()
                + "': "
                + e.getMessage());
      }
      long bytes = type.isFixedSize() ? elements * type.byteSize() : elements * 4L;
      if (bytes > MAX_WARMUP_BYTES) {
        throw new ModelLoader.LoadException(
            "model_warmup '"
                + sample.getName()
                + "' input '"
                + spec.name()
                + "' needs "
                + bytes
                + " bytes, more than the "
                + MAX_WARMUP_BYTES
                + " allowed");
      }
      ByteBuffer data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
      if (in != null && in.hasInputDataFile()) {
        fillFromFile(layout, modelDir, sample.getName(), in.getInputDataFile(), data);
      } else if (in != null && in.getRandomData() && type.isFixedSize()) {
        byte[] rnd = new byte[(int) bytes];
        random.nextBytes(rnd);
        if (type == DataType.BOOL) {
          for (int i = 0; i < rnd.length; i++) {
            rnd[i] &= 1;
          }
        }
        data.put(rnd).flip();
      }
      // Zero data: a fresh buffer is all zeros, which is also a BYTES tensor of empty strings.
      data.position(0).limit((int) bytes);
      tensors.add(new Tensor(spec.name(), type, shape, data));
    }
    return new Batch(batching ? batchSize : 1, tensors, outputs);
  }

  private static long[] fixedDims(TensorSpec spec) {
    long[] d = spec.shape();
    for (int i = 0; i < d.length; i++) {
      if (d[i] < 1) {
        d[i] = 1;
      }
    }
    return d;
  }

  private static void fillFromFile(
      RepositoryLayout layout, Path modelDir, String sample, String file, ByteBuffer data)
      throws ModelLoader.LoadException {
    try {
      Path p = layout.resolveInside(modelDir.resolve("warmup"), file, "input_data_file");
      byte[] bytes = Files.readAllBytes(p);
      if (bytes.length == 0) {
        throw new ModelLoader.LoadException(
            "model_warmup '" + sample + "' input_data_file " + p + " is empty");
      }
      // Triton repeats one sample's data to fill the batch.
      while (data.hasRemaining()) {
        data.put(bytes, 0, Math.min(bytes.length, data.remaining()));
      }
    } catch (IOException | io.tensorgate.backend.InferenceException e) {
      throw new ModelLoader.LoadException(
          "model_warmup '" + sample + "' input_data_file '" + file + "': " + e.getMessage(), e);
    }
  }
}
