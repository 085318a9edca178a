package io.tensorgate.server.route;

import io.micrometer.core.instrument.Counter;
import io.tensorgate.proto.admin.v1.Divergence;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Shadow traffic and its comparisons for one (model, primary version, shadow) under one setting of
 * the tolerances, with the matching Prometheus counters. Written by shadow threads, read by the
 * admin API and the rollout gates. A new tolerance setting replaces the entry (see {@link
 * DivergenceTable}); the Prometheus counters, shared by every entry of the pair, keep counting.
 */
final class DivergenceStats {
  final String model;
  final long primaryVersion;
  final DivergenceTable.ShadowKey shadow;
  final double absTolerance;
  final double relTolerance;
  final long sinceMillis;
  final LongAdder requests = new LongAdder();
  final LongAdder failures = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder comparisons = new LongAdder();
  final LongAdder exact = new LongAdder();
  final LongAdder mismatches = new LongAdder();
  final LongAdder top1Rows = new LongAdder();
  final LongAdder top1Agree = new LongAdder();
  private final Counter requestsCounter;
  private final Counter comparisonsCounter;
  private final Counter mismatchesCounter;
  // Guarded by this.
  private double maxAbs;
  private double maxRel;

  DivergenceStats(
      String model,
      long primaryVersion,
      DivergenceTable.ShadowKey shadow,
      double absTolerance,
      double relTolerance,
      long sinceMillis,
      RouteMetrics metrics) {
    this.model = Objects.requireNonNull(model, "model");
    this.primaryVersion = primaryVersion;
    this.shadow = Objects.requireNonNull(shadow, "shadow");
    this.absTolerance = absTolerance;
    this.relTolerance = relTolerance;
    this.sinceMillis = sinceMillis;
    this.requestsCounter = metrics.shadowRequests(model, shadow.versionString());
    this.comparisonsCounter = metrics.comparisons(model, primaryVersion, shadow.versionString());
    this.mismatchesCounter = metrics.mismatches(model, primaryVersion, shadow.versionString());
  }

  /** Whether this entry judges with the target's tolerances. */
  boolean measuredUnder(ModelRoute.ShadowTarget t) {
    return absTolerance == t.absTolerance() && relTolerance == t.relTolerance();
  }

  void mirrored() {
    requests.increment();
    requestsCounter.increment();
  }

  void record(OutputComparison.Result r) {
    comparisons.increment();
    comparisonsCounter.increment();
    if (r.exact()) {
      exact.increment();
    }
    if (r.mismatch()) {
      mismatches.increment();
      mismatchesCounter.increment();
    }
    if (r.top1Rows() > 0) {
      top1Rows.add(r.top1Rows());
      top1Agree.add(r.top1Agree());
    }
    if (r.maxAbs() > 0 || r.maxRel() > 0) {
      synchronized (this) {
        maxAbs = Math.max(maxAbs, r.maxAbs());
        maxRel = Math.max(maxRel, r.maxRel());
      }
    }
  }

  synchronized Divergence toProto() {
    long n = comparisons.sum();
    long rows = top1Rows.sum();
    return Divergence.newBuilder()
        .setModelName(model)
        .setPrimaryVersion(primaryVersion)
        .setShadowModelName(shadow.model())
        .setShadowVersion(shadow.version())
        .setShadowRequests(requests.sum())
        .setShadowFailures(failures.sum())
        .setDropped(dropped.sum())
        .setComparisons(n)
        .setExactMatches(exact.sum())
        .setMismatches(mismatches.sum())
        .setExactMatchRate(n == 0 ? 0 : (double) exact.sum() / n)
        .setMaxAbsDiff(maxAbs)
        .setMaxRelDiff(maxRel)
        .setTop1Comparisons(rows)
        .setTop1Agreements(top1Agree.sum())
        .setTop1AgreementRate(rows == 0 ? 0 : (double) top1Agree.sum() / rows)
        .setAbsTolerance(absTolerance)
        .setRelTolerance(relTolerance)
        .setSinceUnixMillis(sinceMillis)
        .build();
  }
}
