package io.tensorgate.loadtest;

/**
 * Hands out the request to send next. Called by the load drivers on their sending threads (the
 * open-loop scheduler thread, or gRPC callback threads in closed loop), concurrently.
 */
interface RequestSource extends AutoCloseable {

  /**
   * The request for the {@code sequence}-th send, using in-flight slot {@code slot} (which the
   * caller holds exclusively until the request completes).
   */
  EncodedRequest request(long sequence, int slot);

  /** Releases the encoded requests (and whatever else the source holds). */
  @Override
  void close() throws Exception;
}
