package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.ModelSignature;
import io.tensorgate.backend.Tensor;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A loaded ONNX model version: its checked configuration and the session options its instances
 * share. Each instance gets its own {@link OrtSession}, as in Triton's onnxruntime backend, so that
 * each has its own memory arena and threads and instances do not contend inside one session.
 *
 * <p>The session opened at load time to check the file against the configuration is kept and handed
 * to the first instance, so that loading does not build the first session twice.
 */
final class OrtModel implements Model {
  private final ModelDefinition definition;
  private final OrtEnvironment environment;
  private final StringTensorCodec stringCodec;
  private final Path modelFile;
  private final SessionSettings settings;
  private final OrtSession.SessionOptions sessionOptions;
  private final List<OutputSlot> outputs;
  private final Set<String> scalarInputs;
  private final Object lock = new Object();

  // Guarded by lock.
  private OrtSession spareSession;
  // Guarded by lock.
  private boolean closed;

  private OrtModel(
      ModelDefinition definition,
      OrtEnvironment environment,
      StringTensorCodec stringCodec,
      Path modelFile,
      SessionSettings settings,
      OrtSession.SessionOptions sessionOptions,
      OrtSession spareSession,
      ModelSignature signature) {
    this.definition = definition;
    this.environment = environment;
    this.stringCodec = stringCodec;
    this.modelFile = modelFile;
    this.settings = settings;
    this.sessionOptions = sessionOptions;
    this.spareSession = spareSession;
    this.outputs = new ArrayList<>();
    this.scalarInputs = new HashSet<>();
    for (TensorSpec output : definition.outputs()) {
      boolean scalar = find(signature.outputs(), output.name()).rank() == 0;
      outputs.add(new OutputSlot(output, definition.batching(), scalar));
    }
    for (TensorSpec input : definition.inputs()) {
      if (find(signature.inputs(), input.name()).rank() == 0) {
        scalarInputs.add(input.name());
      }
    }
  }

  /**
   * Refuses BYTES elements that would not reach the model unchanged (only when string tensors go
   * through ONNX Runtime's Java strings, see {@link StringTensorCodecs}), per request, so that one
   * such request never fails the batch it would join.
   */
  @Override
  public void checkInputs(List<Tensor> inputs) throws InferenceException {
    for (Tensor t : inputs) {
      if (t.dataType() == DataType.BYTES) {
        String why = stringCodec.unsupportedElement(t.name(), t.data());
        if (why != null) {
          throw new InferenceException(ErrorCode.INVALID_ARGUMENT, why);
        }
      }
    }
  }

  /**
   * Opens the definition's model file, checks its configuration against the file and returns the
   * loaded model, which the caller owns. On failure nothing stays allocated.
   *
   * @throws BackendException when the file is missing or unreadable, a parameter does not parse, or
   *     the configuration contradicts the file
   */
  static OrtModel load(
      OrtEnvironment environment, StringTensorCodec stringCodec, ModelDefinition definition)
      throws BackendException {
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(stringCodec, "stringCodec");
    Objects.requireNonNull(definition, "definition");
    Path modelFile = OrtSessions.modelFile(definition.modelFile());
    SessionSettings settings = SessionSettings.parse(definition.name(), definition.parameters());
    OrtSession.SessionOptions options = null;
    OrtSession session = null;
    boolean loaded = false;
    try {
      options = settings.newSessionOptions();
      session = OrtSessions.open(environment, modelFile, options);
      ModelSignature signature = OrtTypes.signature(session, modelFile);
      ConfigCheck.check(definition, signature, modelFile);
      OrtModel model =
          new OrtModel(
              definition,
              environment,
              stringCodec,
              modelFile,
              settings,
              options,
              session,
              signature);
      loaded = true;
      return model;
    } catch (OrtException e) {
      throw new BackendException(
          "cannot set up ONNX Runtime sessions for model '"
              + definition.name()
              + "': "
              + e.getMessage(),
          e);
    } finally {
      if (!loaded) {
        OrtSessions.closeQuietly(session);
        if (options != null) {
          options.close();
        }
      }
    }
  }

  @Override
  public ModelDefinition definition() {
    return definition;
  }

  /**
   * Creates a CPU instance with its own session. {@link InstancePlacement.Kind#MODEL} also runs on
   * the CPU.
   *
   * @throws BackendException for a GPU placement, or when ONNX Runtime cannot create the session
   */
  @Override
  public ModelInstance newInstance(InstancePlacement placement) throws BackendException {
    Objects.requireNonNull(placement, "placement");
    if (placement.kind() == InstancePlacement.Kind.GPU) {
      throw new BackendException(
          "instance '"
              + placement.name()
              + "' of model '"
              + definition.name()
              + "' asks for GPU "
              + placement.deviceId()
              + ": ONNX Runtime backend in this build runs on CPU only");
    }
    OrtSession session = takeSpareSession();
    if (session == null) {
      session = OrtSessions.open(environment, modelFile, sessionOptions);
    }
    try {
      return new OrtModelInstance(
          placement,
          environment,
          stringCodec,
          session,
          settings.newRunOptions(),
          definition.name(),
          outputs,
          scalarInputs);
    } catch (OrtException | RuntimeException e) {
      OrtSessions.closeQuietly(session);
      throw new BackendException(
          "cannot create instance '" + placement.name() + "': " + e.getMessage(), e);
    }
  }

  private OrtSession takeSpareSession() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("model '" + definition.name() + "' is closed");
      }
      OrtSession session = spareSession;
      spareSession = null;
      return session;
    }
  }

  /** Releases the session options and any session no instance took; later calls do nothing. */
  @Override
  public void close() {
    OrtSession session;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      session = spareSession;
      spareSession = null;
    }
    OrtSessions.closeQuietly(session);
    sessionOptions.close();
  }

  private static TensorSpec find(List<TensorSpec> specs, String name) {
    for (TensorSpec spec : specs) {
      if (spec.name().equals(name)) {
        return spec;
      }
    }
    throw new IllegalArgumentException("no tensor '" + name + "' in " + specs);
  }
}
