package io.tensorgate.server.observe;

import io.grpc.Context;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.repository.LoadedVersion;
import java.util.List;

/**
 * One answered inference, as {@link RequestObserver}s see it. Buffers stay valid only during the
 * call: an observer that keeps data copies what it needs.
 *
 * @param version the version that answered
 * @param routeReason how the router chose it
 * @param wire the request as received
 * @param decoded the decoded request, or {@code null} when decoding failed
 * @param outputs the outputs sent, or {@code null} on failure
 * @param error the failure, or {@code null} on success
 * @param arrivalNanos when the request arrived ({@link System#nanoTime()} clock)
 * @param dispatchNanos when it left the queue, 0 if it never did
 * @param execution the timestamps of its execution, or {@code null}
 * @param batchSize the size of the batch it executed in, 0 if none
 * @param endNanos when the answer was sent
 * @param grpcContext the gRPC context of the call (headers copied by interceptors)
 */
public record CompletedRequest(
    LoadedVersion version,
    String routeReason,
    ModelInferRequest wire,
    DecodedRequest decoded,
    List<Tensor> outputs,
    InferenceError error,
    long arrivalNanos,
    long dispatchNanos,
    ExecutionTimestamps execution,
    int batchSize,
    long endNanos,
    Context grpcContext) {
  public boolean succeeded() {
    return error == null;
  }
}
