package io.tensorgate.server.drift;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tensorgate.backend.Tensor;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.repository.LoadedVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drift monitor of one model version: its reference (from {@code drift_reference.json} or
 * captured from the first sampled requests), the live window, and the latest PSI / KL / KS per
 * feature with threshold crossings reported as drift events.
 *
 * <p>Threads: {@link #sample} and {@link #extract} run on answering threads and touch no shared
 * mutable state; {@link #add}, {@link #expire} and {@link #reset} are synchronized (the drift
 * thread, and the rare admin RPC); {@link #report} reads a published immutable snapshot.
 */
final class VersionDrift {
  private static final Logger log = LoggerFactory.getLogger(VersionDrift.class);

  enum State {
    CAPTURING,
    MONITORING,
    FAILED
  }

  /** Values copied from one sampled request, one entry per feature of the model (or null). */
  record Sample(VersionDrift target, long nanos, Object[] values) {}

  /** One feature's latest numbers. */
  record FeatureReport(
      Feature feature, double psi, double kl, double ks, boolean drifting, long events) {}

  /** What the monitor shows now. Immutable. */
  record Report(
      State state,
      String source,
      String failure,
      long referenceRequests,
      long windowRequests,
      List<FeatureReport> features) {}

  final LoadedVersion version;
  final DriftConfig config;
  private final List<Feature> features;
  private final DriftMeters meters;
  final Counter sampled;
  final Counter dropped;

  @GuardedBy("this")
  private State state;

  @GuardedBy("this")
  private String source = "";

  @GuardedBy("this")
  private String failure = "";

  @GuardedBy("this")
  private long referenceRequests;

  @GuardedBy("this")
  private ReferenceCapture capture;

  @GuardedBy("this")
  private Feature[] monitored = new Feature[0];

  @GuardedBy("this")
  private Bins[] bins = new Bins[0];

  @GuardedBy("this")
  private double[][] stats = new double[0][];

  @GuardedBy("this")
  private boolean[] drifting = new boolean[0];

  @GuardedBy("this")
  private Counter[] events = new Counter[0];

  @GuardedBy("this")
  private DriftWindow window = DriftWindow.none();

  private volatile Report report;

  /**
   * @param config the settings, or {@code null} when they could not be read ({@code failure} says
   *     why)
   */
  VersionDrift(LoadedVersion version, DriftConfig config, String failure, MeterRegistry registry) {
    this.version = version;
    this.config = config;
    this.features = Feature.of(version.config());
    this.meters =
        new DriftMeters(
            registry,
            Tags.of("model", version.name(), "version", version.versionString()),
            this::report);
    this.sampled = meters.sampled;
    this.dropped = meters.dropped;
    synchronized (this) {
      if (config == null) {
        fail(failure);
      } else {
        start();
      }
      meters.addWindowGauge();
    }
  }

  /** Whether to sample this request; called on the answering thread. */
  boolean sample() {
    if (state() == State.FAILED) {
      return false;
    }
    return config.sampleRate() >= 1
        || ThreadLocalRandom.current().nextDouble() < config.sampleRate();
  }

  private State state() {
    return report.state();
  }

  /** Copies the values of a successful request; called on the answering thread. */
  Sample extract(CompletedRequest r) {
    Object[] values = new Object[features.size()];
    List<Tensor> inputs = r.decoded().inputs();
    List<Tensor> outputs = r.outputs();
    for (int i = 0; i < values.length; i++) {
      Feature f = features.get(i);
      Tensor t = find(f.output() ? outputs : inputs, f.tensor());
      if (t != null) {
        values[i] = f.extract(t, config.maxValues());
      }
    }
    return new Sample(this, System.nanoTime(), values);
  }

  private static Tensor find(List<Tensor> tensors, String name) {
    if (tensors == null) {
      return null;
    }
    for (int i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).name().equals(name)) {
        return tensors.get(i);
      }
    }
    return null;
  }

  /** Takes one sample into the reference or the window; drift thread. */
  synchronized void add(Sample s) {
    switch (state) {
      case CAPTURING:
        capture(s);
        break;
      case MONITORING:
        window.add(s.nanos(), s.values());
        window.evict(s.nanos());
        evaluate();
        break;
      default:
        return;
    }
  }

  /** Drops window entries that are too old; drift thread, about once a second. */
  synchronized void expire(long nowNanos) {
    if (state == State.MONITORING && window.evict(nowNanos)) {
      evaluate();
    }
  }

  /** Forgets the window and the reference and starts over (re-reading a reference file). */
  synchronized void reset() {
    if (config == null) {
      return;
    }
    log.info("drift reference of model '{}' version {} reset", version.name(), version.version());
    start();
  }

  Report report() {
    return report;
  }

  /** Removes every meter; the version left service. */
  synchronized void close() {
    meters.close();
  }

  @GuardedBy("this")
  private void start() {
    meters.removeFeatures();
    window = DriftWindow.none();
    capture = null;
    referenceRequests = 0;
    Path file = version.modelDirectory().resolve(ReferenceFile.NAME);
    if (Files.exists(file)) {
      source = "file";
      try {
        monitor(ReferenceFile.read(file, features));
      } catch (IOException e) {
        fail(e.getMessage());
      }
      return;
    }
    source = "captured";
    state = State.CAPTURING;
    capture = new ReferenceCapture(features, config.referenceRequests(), config.bins());
    publish();
  }

  @GuardedBy("this")
  private void fail(String reason) {
    state = State.FAILED;
    failure = reason;
    log.error(
        "drift detection off for model '{}' version {}: {}",
        version.name(),
        version.version(),
        reason);
    publish();
  }

  @GuardedBy("this")
  private void capture(Sample s) {
    if (!capture.add(s.values())) {
      publish();
      return;
    }
    Map<Feature, Bins> ref = capture.reference();
    referenceRequests = capture.requests();
    capture = null;
    if (ref.isEmpty()) {
      fail("the captured requests held no values to build a reference from");
      return;
    }
    log.info(
        "drift reference of model '{}' version {} captured from {} requests ({} features)",
        version.name(),
        version.version(),
        referenceRequests,
        ref.size());
    monitor(ref);
  }

  @GuardedBy("this")
  private void monitor(Map<Feature, Bins> ref) {
    int n = ref.size();
    monitored = ref.keySet().toArray(new Feature[0]);
    bins = ref.values().toArray(new Bins[0]);
    int[] featureIndex = new int[n];
    stats = new double[n][];
    drifting = new boolean[n];
    events = new Counter[n];
    for (int i = 0; i < n; i++) {
      featureIndex[i] = features.indexOf(monitored[i]);
      stats[i] = new double[] {Double.NaN, Double.NaN, Double.NaN};
      events[i] = meters.addFeature(i, monitored[i]);
    }
    window = new DriftWindow(bins, featureIndex, config.windowSeconds(), config.windowRequests());
    state = State.MONITORING;
    failure = "";
    publish();
  }

  @GuardedBy("this")
  private void evaluate() {
    boolean verdict = window.size() >= config.minWindowRequests();
    for (int i = 0; i < monitored.length; i++) {
      long[] counts = window.counts(i);
      double[] live = DriftMath.proportions(counts);
      boolean any = false;
      for (long c : counts) {
        any |= c > 0;
      }
      if (!verdict || !any) {
        stats[i][0] = stats[i][1] = stats[i][2] = Double.NaN;
        continue;
      }
      double[] ref = bins[i].reference;
      stats[i][0] = DriftMath.psi(live, ref);
      stats[i][1] = DriftMath.kl(live, ref);
      stats[i][2] = monitored[i].categorical() ? Double.NaN : DriftMath.ks(live, ref);
      boolean crossed =
          stats[i][0] > config.psiThreshold()
              || stats[i][1] > config.klThreshold()
              || (!monitored[i].categorical() && stats[i][2] > config.ksThreshold());
      if (crossed && !drifting[i]) {
        drifting[i] = true;
        events[i].increment();
        log.atWarn()
            .setMessage("drift detected: model '{}' version {} feature '{}': PSI {} KL {} KS {}")
            .addArgument(version.name())
            .addArgument(version.version())
            .addArgument(monitored[i].name())
            .addArgument(round(stats[i][0]))
            .addArgument(round(stats[i][1]))
            .addArgument(round(stats[i][2]))
            .addKeyValue("event", "drift")
            .addKeyValue("model", version.name())
            .addKeyValue("version", version.versionString())
            .addKeyValue("feature", monitored[i].name())
            .addKeyValue("psi", stats[i][0])
            .addKeyValue("kl", stats[i][1])
            .addKeyValue("ks", stats[i][2])
            .log();
      } else if (!crossed && drifting[i]) {
        drifting[i] = false;
        log.info(
            "drift cleared: model '{}' version {} feature '{}' is back under its thresholds",
            version.name(),
            version.version(),
            monitored[i].name());
      }
    }
    publish();
  }

  private static String round(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f", v);
  }

  @GuardedBy("this")
  private void publish() {
    List<FeatureReport> f = new ArrayList<>(monitored.length);
    for (int i = 0; i < monitored.length; i++) {
      f.add(
          new FeatureReport(
              monitored[i],
              stats[i][0],
              stats[i][1],
              stats[i][2],
              drifting[i],
              (long) events[i].count()));
    }
    report =
        new Report(
            state,
            source,
            failure,
            state == State.CAPTURING ? capture.requests() : referenceRequests,
            window.size(),
            List.copyOf(f));
  }
}
