package io.tensorgate.loadtest;

import io.tensorgate.proto.inference.ModelInferRequest;

/**
 * Hands out the request to send next. Called by the load drivers on their sending threads (the
 * open-loop scheduler thread, or gRPC callback threads in closed loop), concurrently.
 */
interface RequestSource {

  /**
   * The request for the {@code sequence}-th send, using in-flight slot {@code slot} (which the
   * caller holds exclusively until the request completes).
   */
  ModelInferRequest request(long sequence, int slot);
}
