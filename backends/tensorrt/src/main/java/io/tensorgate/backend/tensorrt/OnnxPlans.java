package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.ModelDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * Plans built from ONNX models (see {@link OnnxBuildSettings}), cached on disk per GPU model with
 * the {@link PlanKey} they were built for: {@code model.<gpu>.plan} and {@code
 * model.<gpu>.plan.key} beside {@code model.onnx}, or, when the model's folder is read-only, in a
 * folder of the cache directory named after the ONNX file's path. A plan is used while its key
 * matches and built again (seconds to minutes, on the load thread) when it does not, so a changed
 * {@code max_batch_size}, {@code trt_*_shapes}, TensorRT version or GPU model never meets a stale
 * plan. Each GPU model gets its own plan, since a plan only deserializes on the model it was built
 * for.
 *
 * <p>Threading: thread-safe; two loads that build the same plan at once both build, and the last
 * one's file stays (each file is replaced atomically).
 */
final class OnnxPlans {
  private final CudaRuntime cuda;
  private final TensorRt tensorRt;
  private final Path cacheDirectory;

  /**
   * @param cacheDirectory where plans of models in read-only folders go; created when needed
   */
  OnnxPlans(CudaRuntime cuda, TensorRt tensorRt, Path cacheDirectory) {
    this.cuda = Objects.requireNonNull(cuda, "cuda");
    this.tensorRt = Objects.requireNonNull(tensorRt, "tensorRt");
    this.cacheDirectory = Objects.requireNonNull(cacheDirectory, "cacheDirectory");
  }

  /** A plan file, and whether it was built just now rather than found in the cache. */
  record Plan(Path file, boolean built) {}

  /**
   * The plan of the definition's ONNX model for the GPU model of {@code device}: the cached one
   * when its key matches, else a new build on {@code device}.
   *
   * @param rebuild build even when the key matches (the cached plan did not deserialize)
   * @throws BackendException when the ONNX file cannot be read, the build fails, or the plan can be
   *     written neither beside the model nor in the cache directory
   */
  Plan find(ModelDefinition definition, int device, boolean rebuild) throws BackendException {
    Path onnx = definition.modelFile();
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(onnx, BasicFileAttributes.class);
    } catch (IOException e) {
      throw new BackendException(
          "cannot read the ONNX model "
              + onnx.getFileName()
              + " to build a TensorRT engine: "
              + IoErrors.words(e),
          e);
    }
    String gpu = cuda.gpuModel(device);
    String key =
        PlanKey.of(
            definition, attributes.size(), attributes.lastModifiedTime(), tensorRt.version(), gpu);
    String name = planName(onnx, gpu);
    Path beside = onnx.resolveSibling(name);
    Path cached = cacheFolder(onnx).resolve(name);
    if (!rebuild) {
      for (Path candidate : new Path[] {beside, cached}) {
        if (matches(candidate, key)) {
          return new Plan(candidate, false);
        }
      }
    }
    cuda.setDevice(device);
    byte[] plan =
        tensorRt.buildFromOnnx(onnx, inputs -> OnnxBuildSettings.profile(definition, inputs));
    if (Files.isWritable(onnx.toAbsolutePath().getParent())) {
      try {
        return new Plan(write(beside, plan, key), true);
      } catch (IOException e) {
        // Read-only in a way access(2) did not show (e.g. a file in the way): use the cache.
      }
    }
    try {
      Files.createDirectories(cached.getParent());
      return new Plan(write(cached, plan, key), true);
    } catch (IOException e) {
      throw new BackendException(
          "cannot cache the TensorRT engine built from "
              + onnx.getFileName()
              + ": neither its folder nor the plan cache directory is writable ("
              + IoErrors.words(e)
              + ")",
          e);
    }
  }

  /** {@code model.onnx} on an NVIDIA H200 → {@code model.nvidia-h200-compute-9-0.plan}. */
  static String planName(Path onnx, String gpuModel) {
    String file = onnx.getFileName().toString();
    String stem = file.substring(0, file.length() - ".onnx".length());
    String tag =
        gpuModel.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return stem + "." + tag + ".plan";
  }

  /** The key file stored beside a plan. */
  static Path keyFile(Path plan) {
    return plan.resolveSibling(plan.getFileName() + ".key");
  }

  /** The cache directory's folder for one ONNX file: named after a hash of its absolute path. */
  Path cacheFolder(Path onnx) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  onnx.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      return cacheDirectory.resolve(HexFormat.of().formatHex(digest, 0, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static boolean matches(Path plan, String key) {
    try {
      return Files.isRegularFile(plan) && key.equals(Files.readString(keyFile(plan)));
    } catch (IOException e) {
      return false;
    }
  }

  /** Writes the plan, then its key, each atomically: a plan without its key is built again. */
  private static Path write(Path plan, byte[] bytes, String key) throws IOException {
    replace(plan, bytes);
    replace(keyFile(plan), key.getBytes(StandardCharsets.UTF_8));
    return plan;
  }

  private static void replace(Path file, byte[] bytes) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
