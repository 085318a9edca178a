package io.tensorgate.server.repository;

import io.tensorgate.backend.BackendProvider;
import io.tensorgate.backend.BackendProvider.Availability;
import io.tensorgate.backend.CudaSharedMemory;
import io.tensorgate.backend.GpuMonitor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends on the class path, found once with {@link ServiceLoader}, each with its availability
 * as checked at start-up. Immutable after construction.
 */
public final class BackendRegistry {
  private static final Logger log = LoggerFactory.getLogger(BackendRegistry.class);

  private final Map<String, BackendProvider> byName;
  private final Map<String, Availability> availability;

  public BackendRegistry(List<BackendProvider> providers) {
    Map<String, BackendProvider> names = new LinkedHashMap<>();
    Map<String, Availability> avail = new LinkedHashMap<>();
    for (BackendProvider p : Objects.requireNonNull(providers, "providers")) {
      names.put(p.name(), p);
      Availability a;
      try {
        a = p.availability();
      } catch (RuntimeException | LinkageError e) {
        a = Availability.no(p.name() + " backend failed its availability check: " + e);
      }
      avail.put(p.name(), a);
      if (a.available()) {
        log.info("backend '{}' available for platforms {}", p.name(), p.platforms());
      } else {
        log.warn("backend '{}' unavailable: {}", p.name(), a.reason());
      }
    }
    this.byName = Collections.unmodifiableMap(names);
    this.availability = Collections.unmodifiableMap(avail);
  }

  /** The providers listed in {@code META-INF/services} on the class path. */
  public static BackendRegistry discover() {
    List<BackendProvider> found = new ArrayList<>();
    ServiceLoader.load(BackendProvider.class).forEach(found::add);
    return new BackendRegistry(found);
  }

  /** The provider for a config's backend name or, when that is empty, its platform. */
  public Optional<BackendProvider> find(String backend, String platform) {
    if (backend != null && !backend.isEmpty()) {
      return Optional.ofNullable(byName.get(backend));
    }
    for (BackendProvider p : byName.values()) {
      if (p.platforms().contains(platform)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  public Availability availability(BackendProvider provider) {
    return availability.get(provider.name());
  }

  public List<BackendProvider> providers() {
    return List.copyOf(byName.values());
  }

  /**
   * CUDA IPC access from the first backend that offers it (the TensorRT backend), whether or not
   * this host has CUDA; empty when no backend in this build links CUDA.
   */
  public Optional<CudaSharedMemory> cudaSharedMemory() {
    for (BackendProvider p : byName.values()) {
      Optional<CudaSharedMemory> cuda = p.cudaSharedMemory();
      if (cuda.isPresent()) {
        return cuda;
      }
    }
    return Optional.empty();
  }

  /**
   * GPU readings from the first backend that offers them, for metrics ({@code nv_gpu_*}); empty
   * when no backend in this build can read GPUs. Check its availability before binding gauges.
   */
  public Optional<GpuMonitor> gpuMonitor() {
    for (BackendProvider p : byName.values()) {
      Optional<GpuMonitor> monitor = p.gpuMonitor();
      if (monitor.isPresent()) {
        return monitor;
      }
    }
    return Optional.empty();
  }
}
