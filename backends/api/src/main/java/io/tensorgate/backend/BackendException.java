package io.tensorgate.backend;

/**
 * A backend could not load a model, create an instance or execute a batch. The message says why in
 * words a user can act on; the server reports it (load failures in RepositoryIndex, execution
 * failures as INTERNAL to the batch's requests).
 */
public class BackendException extends Exception {
  private static final long serialVersionUID = 1L;

  public BackendException(String message) {
    super(message);
  }

  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
