package io.tensorgate.server.testing;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.ModelSignature;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Function;

/**
 * What the test-only backends share: platform {@code tensorgate_<name>}, default file {@code
 * model.<name>}, always available, configs always complete (nothing to inspect), and models that
 * only make instances.
 */
abstract class TestBackend implements BackendProvider {
  private final String name;

  TestBackend(String name) {
    this.name = name;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Set<String> platforms() {
    return Set.of("tensorgate_" + name);
  }

  @Override
  public final String defaultModelFilename() {
    return "model." + name;
  }

  @Override
  public final Availability availability() {
    return Availability.yes();
  }

  @Override
  public final ModelSignature inspect(Path modelFile) throws BackendException {
    throw new BackendException("the " + name + " backend needs a complete config");
  }

  /** A model of {@code def} whose instances {@code instances} makes; closing it does nothing. */
  static Model model(ModelDefinition def, Function<InstancePlacement, ModelInstance> instances) {
    return new Model() {
      @Override
      public ModelDefinition definition() {
        return def;
      }

      @Override
      public ModelInstance newInstance(InstancePlacement placement) {
        return instances.apply(placement);
      }

      @Override
      public void close() {}
    };
  }
}
