package io.tensorgate.server.codec;

import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;

/**
 * Tensorgate's routing key: what a sticky canary split hashes. A client sends it as the request
 * parameter or the request header {@value #NAME}; the parameter wins.
 */
public final class RoutingKey {
  /** The name of both the request parameter and the header. */
  public static final String NAME = "tensorgate-routing-key";

  private RoutingKey() {}

  /**
   * The request's routing key: its string parameter {@value #NAME}, else {@code header}.
   *
   * @param header the value of the {@value #NAME} header, or {@code null}
   * @return the key, or {@code null} when the request has none
   */
  public static String of(ModelInferRequest req, String header) {
    if (req.getParametersCount() > 0) {
      InferParameter p = req.getParametersMap().get(NAME);
      if (p != null && p.hasStringParam()) {
        return p.getStringParam();
      }
    }
    return header;
  }
}
