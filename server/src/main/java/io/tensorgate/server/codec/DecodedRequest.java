package io.tensorgate.server.codec;

import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest.SequenceControl;
import java.util.List;

/**
 * A ModelInferRequest after decoding and validation against the model version: everything the
 * scheduler and the response encoder need, nothing protobuf.
 *
 * @param id the client's request id
 * @param inputs validated inputs in the model's input order
 * @param requestedOutputs output names in the model's output order
 * @param outputOptions per model output index (classification, shared memory), or {@code null} when
 *     no output asked for either
 * @param batchSize the request's batch size (1 when the model does not batch)
 * @param priority the {@code priority} parameter (0 = default level)
 * @param timeoutMicros the {@code timeout} parameter (0 = none)
 * @param sequence the sequence controls, or {@code null}
 */
public record DecodedRequest(
    String id,
    List<Tensor> inputs,
    List<String> requestedOutputs,
    OutputOptions[] outputOptions,
    int batchSize,
    int priority,
    long timeoutMicros,
    SequenceControl sequence) {}
