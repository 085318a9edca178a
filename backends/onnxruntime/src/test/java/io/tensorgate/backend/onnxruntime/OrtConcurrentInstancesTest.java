package io.tensorgate.backend.onnxruntime;

import static io.tensorgate.backend.onnxruntime.TestModels.ints;
import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OrtConcurrentInstancesTest {
  private static final int ROUNDS = 200;

  /**
   * Runs {@link #ROUNDS} batches whose INPUT1 is {@code offset}, each round released together with
   * the other thread's, and returns how many rows came back wrong.
   */
  private static Callable<Integer> worker(
      ModelInstance instance, int offset, CyclicBarrier barrier) {
    return () -> {
      int wrong = 0;
      for (int round = 0; round < ROUNDS; round++) {
        int batchSize = 1 + round % 8;
        int[] input0 = new int[batchSize * 16];
        int[] input1 = new int[batchSize * 16];
        for (int i = 0; i < input0.length; i++) {
          input0[i] = round * 1000 + i;
          input1[i] = offset;
        }
        long[] shape = {batchSize, 16};
        Batch batch =
            new Batch(
                batchSize,
                List.of(
                    TestModels.int32Tensor("INPUT0", shape, input0, round % 2 == 0),
                    TestModels.int32Tensor("INPUT1", shape, input1, round % 2 == 0)),
                List.of("OUTPUT0"));
        barrier.await(10, TimeUnit.SECONDS);
        Tensor sum = instance.execute(batch).outputs().get(0);
        int[] values = ints(sum);
        for (int i = 0; i < input0.length; i++) {
          if (values[i] != input0[i] + offset) {
            wrong++;
          }
        }
      }
      return wrong;
    };
  }

  /**
   * Runs {@link #ROUNDS} BYTES batches through an identity instance, each element naming its
   * thread, round and index (with NUL bytes and invalid UTF-8), and returns how many came back
   * different.
   */
  private static Callable<Integer> bytesWorker(
      ModelInstance instance, int thread, CyclicBarrier barrier) {
    return () -> {
      int wrong = 0;
      for (int round = 0; round < ROUNDS; round++) {
        int count = 1 + round % 50;
        byte[][] elements = new byte[count][];
        for (int i = 0; i < count; i++) {
          elements[i] = new byte[] {(byte) thread, 0, (byte) round, (byte) 0xFF, (byte) i};
        }
        Tensor input =
            new Tensor(
                "INPUT0",
                DataType.BYTES,
                new long[] {1, count},
                TestModels.bytesElements(round % 2 == 0, elements));
        barrier.await(10, TimeUnit.SECONDS);
        Tensor output = instance.execute(new Batch(1, List.of(input), List.of())).outputs().get(0);
        if (!java.util.Arrays.equals(TestModels.bytes(output), TestModels.bytes(input))) {
          wrong++;
        }
      }
      return wrong;
    };
  }

  @Test
  void shouldKeepEachInstancesBytesApartWhenTwoInstancesRunByteExactStringsAtOnce()
      throws Exception {
    OnnxRuntimeBackendProvider provider = new OnnxRuntimeBackendProvider();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Model model = provider.load(TestModels.identity(DataType.BYTES, true));
        ModelInstance first = model.newInstance(InstancePlacement.cpu("identity_bytes_0"));
        ModelInstance second = model.newInstance(InstancePlacement.cpu("identity_bytes_1"))) {
      CyclicBarrier barrier = new CyclicBarrier(2);
      List<Future<Integer>> results = new ArrayList<>();
      results.add(threads.submit(bytesWorker(first, 1, barrier)));
      results.add(threads.submit(bytesWorker(second, 2, barrier)));

      for (Future<Integer> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).isZero();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void shouldComputeEachInstancesOwnResultsWhenTwoInstancesRunAtOnce() throws Exception {
    OnnxRuntimeBackendProvider provider = new OnnxRuntimeBackendProvider();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Model model = provider.load(TestModels.addSub());
        ModelInstance first = model.newInstance(InstancePlacement.cpu("add_sub_0"));
        ModelInstance second = model.newInstance(InstancePlacement.cpu("add_sub_1"))) {
      CyclicBarrier barrier = new CyclicBarrier(2);
      List<Future<Integer>> results = new ArrayList<>();
      results.add(threads.submit(worker(first, 1, barrier)));
      results.add(threads.submit(worker(second, 1_000_000, barrier)));

      for (Future<Integer> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).isZero();
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
