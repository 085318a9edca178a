package io.tensorgate.client;

import io.tensorgate.proto.admin.v1.ModelDrift;
import java.util.List;

/**
 * Tensorgate's monitoring API ({@code tensorgate.admin.v1.MonitoringService}): input and output
 * drift per model version, for models that switch drift detection on in their configuration.
 */
public interface MonitoringClient {
  /** Drift of every monitored version of the model. */
  List<ModelDrift> drift(String model);

  /** Drift of one version of the model ({@code ""} for all its monitored versions). */
  List<ModelDrift> drift(String model, String version);

  /** Starts capturing a new reference for the model's versions ({@code ""} for all). */
  List<ModelDrift> resetReference(String model, String version);
}
