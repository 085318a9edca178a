package io.tensorgate.loadtest;

import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.InferStatistics;
import io.tensorgate.proto.inference.ModelStatistics;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.StatisticDuration;

/**
 * Server-side averages over one level, from the difference of two ModelStatistics readings. Each
 * average divides a duration total by its own count, in microseconds per request. The overhead is
 * what the server spent on a successful request outside the queue and the three compute phases:
 * success − queue − compute_input − compute_infer − compute_output (perf_analyzer's "overhead").
 *
 * @param requests successful requests the server counted between the readings
 * @param inferences inferences (a batch of N counts N)
 * @param executions model executions (a batch counts once)
 * @param successUs average end-to-end server time of a successful request
 * @param queueUs average queue time
 * @param computeInputUs average compute input time
 * @param computeInferUs average compute infer time
 * @param computeOutputUs average compute output time
 * @param overheadUs successUs minus the other four, never below zero
 */
record ServerStats(
    long requests,
    long inferences,
    long executions,
    double successUs,
    double queueUs,
    double computeInputUs,
    double computeInferUs,
    double computeOutputUs,
    double overheadUs) {

  /** Cumulative counters of one model (all versions that match the request summed). */
  record Snapshot(
      long inferences,
      long executions,
      StatisticDuration success,
      StatisticDuration queue,
      StatisticDuration computeInput,
      StatisticDuration computeInfer,
      StatisticDuration computeOutput) {}

  /** Reads ModelStatistics for a model; an empty version sums every version. Blocking. */
  static Snapshot read(
      GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub,
      String model,
      String version) {
    long inferences = 0;
    long executions = 0;
    StatisticDuration success = StatisticDuration.getDefaultInstance();
    StatisticDuration queue = success;
    StatisticDuration input = success;
    StatisticDuration infer = success;
    StatisticDuration output = success;
    for (ModelStatistics stats :
        stub.modelStatistics(
                ModelStatisticsRequest.newBuilder().setName(model).setVersion(version).build())
            .getModelStatsList()) {
      InferStatistics s = stats.getInferenceStats();
      inferences += stats.getInferenceCount();
      executions += stats.getExecutionCount();
      success = plus(success, s.getSuccess());
      queue = plus(queue, s.getQueue());
      input = plus(input, s.getComputeInput());
      infer = plus(infer, s.getComputeInfer());
      output = plus(output, s.getComputeOutput());
    }
    return new Snapshot(inferences, executions, success, queue, input, infer, output);
  }

  static ServerStats between(Snapshot before, Snapshot after) {
    double success = averageUs(before.success(), after.success());
    double queue = averageUs(before.queue(), after.queue());
    double input = averageUs(before.computeInput(), after.computeInput());
    double infer = averageUs(before.computeInfer(), after.computeInfer());
    double output = averageUs(before.computeOutput(), after.computeOutput());
    return new ServerStats(
        after.success().getCount() - before.success().getCount(),
        after.inferences() - before.inferences(),
        after.executions() - before.executions(),
        success,
        queue,
        input,
        infer,
        output,
        Math.max(0, success - queue - input - infer - output));
  }

  private static double averageUs(StatisticDuration before, StatisticDuration after) {
    long count = after.getCount() - before.getCount();
    return count <= 0 ? 0 : (after.getNs() - before.getNs()) / 1e3 / count;
  }

  private static StatisticDuration plus(StatisticDuration a, StatisticDuration b) {
    return StatisticDuration.newBuilder()
        .setCount(a.getCount() + b.getCount())
        .setNs(a.getNs() + b.getNs())
        .build();
  }
}
