package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.tensorgate.backend.BackendException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds a version's ONNX file and opens sessions on it, with errors that name the file. */
final class OrtSessions {
  static final String DEFAULT_MODEL_FILENAME = "model.onnx";

  private OrtSessions() {}

  /**
   * The ONNX file a model path names: the path itself, or {@code model.onnx} inside it when it is a
   * folder (as Triton's onnxruntime backend does).
   *
   * @throws BackendException when there is no readable file there
   */
  static Path modelFile(Path path) throws BackendException {
    Path file = Files.isDirectory(path) ? path.resolve(DEFAULT_MODEL_FILENAME) : path;
    if (!Files.exists(file)) {
      throw new BackendException("model file " + file + " does not exist");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new BackendException("model file " + file + " is not a readable file");
    }
    return file;
  }

  /**
   * Opens a session on an ONNX file. The caller owns the session and closes it.
   *
   * @throws BackendException when ONNX Runtime cannot load the file, with ONNX Runtime's reason
   */
  static OrtSession open(OrtEnvironment environment, Path file, OrtSession.SessionOptions options)
      throws BackendException {
    try {
      return environment.createSession(file.toString(), options);
    } catch (OrtException e) {
      throw new BackendException("cannot load " + file + " as an ONNX model: " + e.getMessage(), e);
    }
  }

  /** Closes a session, turning ONNX Runtime's failure to release it into a warning. */
  static void closeQuietly(OrtSession session) {
    if (session == null) {
      return;
    }
    try {
      session.close();
    } catch (OrtException e) {
      System.getLogger(OrtSessions.class.getName())
          .log(System.Logger.Level.WARNING, "ONNX Runtime failed to close a session", e);
    }
  }
}
