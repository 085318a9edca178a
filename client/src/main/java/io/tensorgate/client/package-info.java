/**
 * Tensorgate's Java client: {@link io.tensorgate.client.TensorgateClient} for Tensorgate and any
 * Triton / KServe v2 gRPC inference server, with typed tensors ({@link
 * io.tensorgate.client.InferInput}, {@link io.tensorgate.client.InferOutput}), streams, the model
 * repository, shared memory, settings and Tensorgate's routing and monitoring APIs.
 */
package io.tensorgate.client;
