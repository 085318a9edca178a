package io.tensorgate.server.route;

import io.grpc.StatusException;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.RolloutState;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives rollouts: on every tick, for each model whose canary follows a policy, checks the SLO
 * gates over the sliding windows and either rolls back at once (a breach), moves to the next step
 * (dwell time and request count reached, gates passed), promotes after the last step, or waits.
 * Runs on one scheduler thread; the decisions go through {@link RoutingControl}.
 */
final class RolloutController {
  private static final Logger log = LoggerFactory.getLogger(RolloutController.class);

  private final RoutingControl control;
  private final RoutingRouter router;
  private final VersionWindows windows;
  private final DivergenceTable divergence;
  private final LongSupplier nanoClock;
  private final Map<String, Step> steps = new ConcurrentHashMap<>();

  /**
   * Where a model's rollout stands: the step, since when, and the counts when it began ({@code
   * divergence} is the entry the comparison counts were read from; a restarted entry counts from
   * zero).
   */
  private record Step(
      long canaryEpoch,
      int index,
      long startNanos,
      long canaryTotal,
      DivergenceStats divergence,
      long comparisons,
      long mismatches) {}

  RolloutController(
      RoutingControl control,
      RoutingRouter router,
      VersionWindows windows,
      DivergenceTable divergence,
      LongSupplier nanoClock) {
    this.control = Objects.requireNonNull(control, "control");
    this.router = Objects.requireNonNull(router, "router");
    this.windows = Objects.requireNonNull(windows, "windows");
    this.divergence = Objects.requireNonNull(divergence, "divergence");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** One evaluation of every rollout; called periodically on one thread. */
  void tick() {
    Set<String> active = new HashSet<>();
    for (ModelRoute r : router.all().values()) {
      if (!r.rolloutActive()) {
        continue;
      }
      active.add(r.model);
      windows.track(r.model);
      try {
        evaluate(r);
      } catch (StatusException e) {
        log.warn("rollout of model '{}': {}", r.model, e.getStatus().getDescription());
      } catch (RuntimeException e) {
        log.warn("rollout of model '{}' failed", r.model, e);
      }
    }
    steps.keySet().removeIf(model -> !active.contains(model));
    for (String model : windows.models()) {
      if (!active.contains(model)) {
        windows.forget(model);
      }
    }
  }

  private void evaluate(ModelRoute r) throws StatusException {
    RolloutPolicy p = r.config.getRollout();
    long now = nanoClock.getAsLong();
    double weight = r.config.getCanary().getWeightPercent();
    Step step = steps.get(r.model);
    if (step == null
        || step.canaryEpoch != r.canaryEpoch
        || step.index >= p.getStepsPercentCount()
        || p.getStepsPercent(step.index) != weight) {
      if (step == null || step.canaryEpoch != r.canaryEpoch) {
        // A new rollout: judged only by its own requests, never by an earlier rollout's.
        windows.restart(r.model, r.canary);
      }
      int index = 0;
      while (index < p.getStepsPercentCount() - 1 && p.getStepsPercent(index) < weight) {
        index++;
      }
      step = begin(r, index, now);
      if (p.getStepsPercent(index) != weight) {
        setWeight(r.model, p.getStepsPercent(index), "rollout at step " + (index + 1));
        return;
      }
    }
    String breach = breach(r, p, step, now);
    if (breach != null) {
      long canary = r.canary;
      control.apply(
          r.model,
          c -> c.toBuilder().clearCanary().build(),
          "rollback",
          "canary version " + canary + " rolled back: " + breach);
      steps.remove(r.model);
      return;
    }
    SlidingWindow cw = windows.window(r.model, r.canary);
    long canaryRequests = (cw == null ? 0 : cw.total()) - step.canaryTotal;
    if ((now - step.startNanos) / 1e9 < p.getMinDwellSeconds()
        || Long.compareUnsigned(canaryRequests, p.getMinRequests()) < 0) {
      return;
    }
    int next = step.index + 1;
    if (next >= p.getStepsPercentCount() || p.getStepsPercent(next) >= 100) {
      long canary = r.canary;
      control.apply(
          r.model,
          RolloutController::promoted,
          "promote",
          "canary version " + canary + " passed every step; now stable at 100 %");
      steps.remove(r.model);
      return;
    }
    double w = p.getStepsPercent(next);
    setWeight(r.model, w, "gates passed at step " + (step.index + 1) + "; step " + (next + 1));
    begin(r, next, nanoClock.getAsLong());
  }

  /** The routing after a promotion: the canary is the stable version, labelled so if labelled. */
  static ModelRouting promoted(ModelRouting c) {
    long canary = c.getCanary().getVersion();
    ModelRouting.Builder b = c.toBuilder().setStableVersion(canary).clearCanary();
    if (c.containsLabels("stable")) {
      b.putLabels("stable", canary);
    }
    if (c.getShadow().getVersion() == canary && (c.getShadow().getModelName().isEmpty())) {
      b.clearShadow(); // it would mirror the stable version onto itself
    }
    return b.build();
  }

  private Step begin(ModelRoute r, int index, long now) {
    SlidingWindow cw = windows.window(r.model, r.canary);
    DivergenceStats d = divergence(r);
    Step s =
        new Step(
            r.canaryEpoch,
            index,
            now,
            cw == null ? 0 : cw.total(),
            d,
            d == null ? 0 : d.comparisons.sum(),
            d == null ? 0 : d.mismatches.sum());
    steps.put(r.model, s);
    return s;
  }

  private void setWeight(String model, double weight, String reason) throws StatusException {
    control.apply(
        model,
        c -> c.toBuilder().setCanary(c.getCanary().toBuilder().setWeightPercent(weight)).build(),
        "step",
        reason + String.format(Locale.ROOT, ": canary weight %.4g %%", weight));
  }

  /** Why the gates fail now, or {@code null}. */
  private String breach(ModelRoute r, RolloutPolicy p, Step step, long now) {
    SlidingWindow cw = windows.window(r.model, r.canary);
    SlidingWindow sw = windows.window(r.model, r.stable);
    long comparisons = 0;
    long mismatches = 0;
    DivergenceStats d = divergence(r);
    if (d != null) {
      boolean sameEntry = d == step.divergence;
      comparisons = d.comparisons.sum() - (sameEntry ? step.comparisons : 0);
      mismatches = d.mismatches.sum() - (sameEntry ? step.mismatches : 0);
    }
    return RolloutGates.breach(
        p,
        cw == null ? null : cw.snapshot(now),
        sw == null ? null : sw.snapshot(now),
        comparisons,
        mismatches);
  }

  /** The comparison of stable against the canary as shadow, when the shadow is the canary. */
  private DivergenceStats divergence(ModelRoute r) {
    if (r.shadow == null || r.shadow.version() != r.canary || !r.shadow.model().equals(r.model)) {
      return null;
    }
    return divergence.get(r.model, r.stable, DivergenceTable.ShadowKey.of(r.shadow));
  }

  /** The rollout's state for the admin API. */
  RolloutState state(String model) {
    ModelRoute r = router.get(model);
    Step s = steps.get(model);
    if (r == null || !r.rolloutActive() || s == null) {
      return RolloutState.newBuilder().setPhase(RolloutState.Phase.IDLE).build();
    }
    long now = nanoClock.getAsLong();
    SlidingWindow cw = windows.window(model, r.canary);
    SlidingWindow sw = windows.window(model, r.stable);
    SlidingWindow.Snapshot c = cw == null ? null : cw.snapshot(now);
    SlidingWindow.Snapshot st = sw == null ? null : sw.snapshot(now);
    return RolloutState.newBuilder()
        .setPhase(RolloutState.Phase.PROGRESSING)
        .setStep(s.index)
        .setStepAgeSeconds((now - s.startNanos) / 1e9)
        .setStepCanaryRequests(cw == null ? 0 : cw.total() - s.canaryTotal)
        .setCanaryErrorRate(c == null ? 0 : c.errorRate())
        .setCanaryP99Ms(c == null ? 0 : c.p99Nanos() / 1e6)
        .setStableP99Ms(st == null ? 0 : st.p99Nanos() / 1e6)
        .build();
  }
}
