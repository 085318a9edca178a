package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelSignature;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Triton's {@code onnxruntime} backend ({@code onnxruntime_onnx} platform) on ONNX Runtime's Java
 * API, CPU execution provider only. Found by {@link java.util.ServiceLoader}.
 *
 * <p>ONNX Runtime allows one {@link OrtEnvironment} per process; this provider obtains it on first
 * use, from its environment source, and hands it to the models it loads. It never closes it.
 *
 * <p>Threading: thread-safe, as {@link BackendProvider} requires.
 */
public final class OnnxRuntimeBackendProvider implements BackendProvider {
  private final Supplier<OrtEnvironment> environmentSource;
  private final Function<OrtEnvironment, StringTensorCodec> stringCodecSource;
  private final Object lock = new Object();

  // Set together on the first call that needs them.
  @GuardedBy("lock")
  private Availability availability;

  @GuardedBy("lock")
  private OrtEnvironment environment;

  @GuardedBy("lock")
  private StringTensorCodec stringCodec;

  /**
   * The provider {@link java.util.ServiceLoader} creates: ONNX Runtime's process environment, and
   * byte-exact string tensors where they work here.
   */
  public OnnxRuntimeBackendProvider() {
    this(OrtEnvironment::getEnvironment);
  }

  /** A provider whose environment comes from {@code environmentSource}, called at most once. */
  OnnxRuntimeBackendProvider(Supplier<OrtEnvironment> environmentSource) {
    this(environmentSource, StringTensorCodecs::choose);
  }

  /**
   * A provider whose environment comes from {@code environmentSource} and whose BYTES codec from
   * {@code stringCodecSource}, each called at most once.
   */
  OnnxRuntimeBackendProvider(
      Supplier<OrtEnvironment> environmentSource,
      Function<OrtEnvironment, StringTensorCodec> stringCodecSource) {
    this.environmentSource = Objects.requireNonNull(environmentSource, "environmentSource");
    this.stringCodecSource = Objects.requireNonNull(stringCodecSource, "stringCodecSource");
  }

  @Override
  public String name() {
    return "onnxruntime";
  }

  @Override
  public Set<String> platforms() {
    return Set.of("onnxruntime_onnx");
  }

  @Override
  public String defaultModelFilename() {
    return OrtSessions.DEFAULT_MODEL_FILENAME;
  }

  /**
   * Yes when ONNX Runtime's native libraries load and create its environment; otherwise no, with
   * the loader's error. The first call loads them; later calls return the same answer.
   */
  @Override
  public Availability availability() {
    synchronized (lock) {
      if (availability == null) {
        probe();
      }
      return availability;
    }
  }

  // Called with lock held.
  @GuardedBy("lock")
  private void probe() {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      availability =
          Availability.no(
              "ONNX Runtime reads tensors in native byte order, which is big-endian here;"
                  + " Tensorgate's tensors are little-endian");
      return;
    }
    try {
      environment = Objects.requireNonNull(environmentSource.get(), "environment");
      stringCodec = Objects.requireNonNull(stringCodecSource.apply(environment), "stringCodec");
      availability = Availability.yes();
    } catch (LinkageError | RuntimeException e) {
      availability = Availability.no("ONNX Runtime's native library did not load: " + causes(e));
    }
  }

  private static String causes(Throwable error) {
    StringBuilder message = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (message.length() > 0) {
        message.append(": ");
      }
      message.append(t.getMessage() != null ? t.getMessage() : t.getClass().getName());
    }
    return message.toString();
  }

  private OrtEnvironment environment() throws BackendException {
    synchronized (lock) {
      Availability available = availability();
      if (!available.available()) {
        throw new BackendException(available.reason());
      }
      return environment;
    }
  }

  private StringTensorCodec stringCodec() throws BackendException {
    synchronized (lock) {
      environment();
      return stringCodec;
    }
  }

  /**
   * Opens the file in a throwaway session and reads its tensors.
   *
   * @throws BackendException when the file is missing or not an ONNX model (naming the file and
   *     ONNX Runtime's reason), or has a non-tensor input or output
   */
  @Override
  public ModelSignature inspect(Path modelFile) throws BackendException {
    Objects.requireNonNull(modelFile, "modelFile");
    OrtEnvironment env = environment();
    Path file = OrtSessions.modelFile(modelFile);
    OrtSession session = null;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      // Inputs and outputs do not depend on graph optimizations; skipping them speeds up big
      // models.
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      session = OrtSessions.open(env, file, options);
      return OrtTypes.signature(session, file);
    } catch (OrtException e) {
      throw new BackendException("cannot inspect " + file + ": " + e.getMessage(), e);
    } finally {
      OrtSessions.closeQuietly(session);
    }
  }

  @Override
  public Model load(ModelDefinition definition) throws BackendException {
    Objects.requireNonNull(definition, "definition");
    return OrtModel.load(environment(), stringCodec(), definition);
  }
}
