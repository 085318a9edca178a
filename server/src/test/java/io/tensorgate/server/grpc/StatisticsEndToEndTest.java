package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.inference.ModelStatistics;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelStatistics reports real counts and nanoseconds after real traffic. */
class StatisticsEndToEndTest {
  @TempDir Path repo;

  @Test
  void shouldCountInferencesExecutionsAndDurationsAfterTraffic() throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("simple_int8");
    try (RunningServer s = RunningServer.start(repo)) {
      long before = System.currentTimeMillis();
      for (int i = 0; i < 5; i++) {
        s.blocking().modelInfer(Requests.simple(1));
      }
      s.blocking().modelInfer(Requests.simple(4));
      ModelStatistics st =
          s.blocking()
              .modelStatistics(ModelStatisticsRequest.newBuilder().setName("simple").build())
              .getModelStats(0);
      assertThat(st.getName()).isEqualTo("simple");
      assertThat(st.getVersion()).isEqualTo("1");
      assertThat(st.getInferenceCount()).isEqualTo(9);
      assertThat(st.getExecutionCount()).isEqualTo(6);
      assertThat(st.getLastInference()).isGreaterThanOrEqualTo(before);
      var inf = st.getInferenceStats();
      assertThat(inf.getSuccess().getCount()).isEqualTo(6);
      assertThat(inf.getSuccess().getNs()).isPositive();
      assertThat(inf.getQueue().getCount()).isEqualTo(6);
      assertThat(inf.getComputeInfer().getCount()).isEqualTo(6);
      assertThat(inf.getComputeInfer().getNs()).isPositive();
      assertThat(inf.getSuccess().getNs()).isGreaterThanOrEqualTo(inf.getComputeInfer().getNs());
      assertThat(inf.getFail().getCount()).isZero();
      assertThat(st.getBatchStatsList())
          .extracting(b -> b.getBatchSize() + "x" + b.getComputeInfer().getCount())
          .containsExactly("1x5", "4x1");
    }
  }

  @Test
  void shouldListEveryModelWhenNoNameGiven() throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("simple_int8");
    try (RunningServer s = RunningServer.start(repo)) {
      assertThat(
              s.blocking()
                  .modelStatistics(ModelStatisticsRequest.getDefaultInstance())
                  .getModelStatsList())
          .extracting(ModelStatistics::getName)
          .containsExactly("simple", "simple_int8");
    }
  }
}
