package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import java.util.List;

/**
 * Receives the outcome of one accepted request. The server implements it once per call (it holds
 * what is needed to answer the client).
 *
 * <p>Exactly one of the two methods is called, exactly once, for every request the scheduler
 * accepted; never for a request it refused at {@link Scheduler#submit}. Calls come from a scheduler
 * thread (an instance worker, the batcher, or the thread draining a shutdown) and must not block.
 */
public interface ResponseListener {
  /**
   * The request ran. {@code outputs} are the requested outputs of this request only (slices of the
   * batch's outputs, in the order of {@link InferenceRequest#requestedOutputs()}), owned by the
   * listener from now on. Timings are readable from the request.
   */
  void onSuccess(InferenceRequest request, List<Tensor> outputs);

  /**
   * The request failed or was dropped: cancelled ({@code CANCELLED}), past its deadline ({@code
   * DEADLINE_EXCEEDED}), timed out in the queue ({@code UNAVAILABLE}), its batch failed ({@code
   * INTERNAL}), or the scheduler shut down before it ran ({@code UNAVAILABLE}).
   */
  void onFailure(InferenceRequest request, InferenceError error);
}
