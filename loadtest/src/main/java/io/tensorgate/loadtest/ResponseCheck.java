package io.tensorgate.loadtest;

import io.grpc.Status;
import io.netty.buffer.ByteBuf;

/**
 * Inspects the body of a successful response (its gRPC frames) when a run asks for more than the
 * status. Called on the connection's event loop; must not block.
 */
interface ResponseCheck {

  /** OK, or the failure the call is counted as. */
  Status check(ByteBuf frames);
}
