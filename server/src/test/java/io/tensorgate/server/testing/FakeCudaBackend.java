package io.tensorgate.server.testing;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider;
import io.tensorgate.backend.CudaSharedMemory;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelSignature;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** A backend that serves no model and offers a {@link FakeCuda} as its CUDA IPC access. */
public final class FakeCudaBackend implements BackendProvider {
  private final FakeCuda cuda;

  public FakeCudaBackend(FakeCuda cuda) {
    this.cuda = Objects.requireNonNull(cuda, "cuda");
  }

  @Override
  public String name() {
    return "fakecuda";
  }

  @Override
  public Set<String> platforms() {
    return Set.of("tensorgate_fakecuda");
  }

  @Override
  public String defaultModelFilename() {
    return "model.fakecuda";
  }

  @Override
  public Availability availability() {
    return Availability.yes();
  }

  @Override
  public ModelSignature inspect(Path modelFile) throws BackendException {
    throw new BackendException("the fake CUDA backend serves no model");
  }

  @Override
  public Model load(ModelDefinition definition) throws BackendException {
    throw new BackendException("the fake CUDA backend serves no model");
  }

  @Override
  public Optional<CudaSharedMemory> cudaSharedMemory() {
    return Optional.of(cuda);
  }
}
