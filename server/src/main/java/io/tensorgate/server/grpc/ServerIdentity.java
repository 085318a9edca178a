package io.tensorgate.server.grpc;

import java.util.Objects;

/**
 * What ServerMetadata says the server is: the name given by Triton's {@code --id} (Triton's clients
 * expect {@code triton}) and this build's version.
 */
public record ServerIdentity(String name, String version) {
  public ServerIdentity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
  }
}
