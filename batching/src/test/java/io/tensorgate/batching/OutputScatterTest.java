package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cutting a batch's outputs back into each request's rows. */
class OutputScatterTest {
  private final OutputScatter scatter = new OutputScatter(true);

  private static Tensor fp32(String name, int rows, float... values) {
    return Requests.fp32Tensor(name, rows, values, false);
  }

  /** A BYTES tensor of {@code rows} rows holding {@code elements} elements each. */
  private static Tensor bytes(String name, int rows, String... elements) {
    Tensor t = Requests.bytesTensor(name, elements);
    return new Tensor(name, DataType.BYTES, new long[] {rows, elements.length / rows}, t.data());
  }

  @Test
  void shouldSliceEachRequestsRowsWhenTheOutputHasFixedSizeRows() {
    scatter.begin(List.of(fp32("OUT", 4, 1, 10, 2, 20, 3, 30, 4, 40)), 4);

    List<Tensor> middle = scatter.rowsOf(List.of("OUT"), 1, 2);

    assertThat(middle.get(0).shape()).containsExactly(2, 2);
    assertThat(Requests.floats(middle.get(0))).containsExactly(2, 20, 3, 30);
  }

  @Test
  void shouldSliceAtEachElementsLengthWhenTheOutputIsBytes() {
    scatter.begin(List.of(bytes("OUT", 4, "a", "bcd", "", "ef")), 4);

    List<Tensor> last = scatter.rowsOf(List.of("OUT"), 3, 1);
    List<Tensor> middle = scatter.rowsOf(List.of("OUT"), 1, 2);

    assertThat(Requests.strings(middle.get(0))).containsExactly("bcd", "");
    assertThat(Requests.strings(last.get(0))).containsExactly("ef");
    assertThat(last.get(0).shape()).containsExactly(1, 1);
  }

  @Test
  void shouldWalkEveryElementOfARowWhenBytesRowsHoldSeveral() {
    scatter.begin(List.of(bytes("OUT", 2, "a", "bb", "ccc", "dddd")), 2);

    List<Tensor> second = scatter.rowsOf(List.of("OUT"), 1, 1);

    assertThat(Requests.strings(second.get(0))).containsExactly("ccc", "dddd");
  }

  @Test
  void shouldReturnTheBatchsOwnListWhenOneRequestTakesEveryRowAndOutput() {
    List<Tensor> outputs = List.of(fp32("OUT", 2, 1, 2), fp32("OUT2", 2, 3, 4));
    scatter.begin(outputs, 2);

    assertThat(scatter.rowsOf(List.of("OUT", "OUT2"), 0, 2)).isSameAs(outputs);
  }

  @Test
  void shouldAnswerTheRequestedOrderWhenItDiffersFromTheBackends() {
    scatter.begin(List.of(fp32("OUT", 2, 1, 2), fp32("OUT2", 2, 3, 4)), 2);

    List<Tensor> swapped = scatter.rowsOf(List.of("OUT2", "OUT"), 1, 1);

    assertThat(swapped).extracting(Tensor::name).containsExactly("OUT2", "OUT");
    assertThat(Requests.floats(swapped.get(0))).containsExactly(4);
    assertThat(Requests.floats(swapped.get(1))).containsExactly(2);
  }

  @Test
  void shouldAnswerOnlyTheRequestedOutputWhenTheBackendReturnedMore() {
    Tensor out2 = fp32("OUT2", 2, 3, 4);
    scatter.begin(List.of(fp32("OUT", 2, 1, 2), out2), 2);

    assertThat(scatter.rowsOf(List.of("OUT2"), 0, 2)).containsExactly(out2);
  }

  @Test
  void shouldPassWholeOutputsWhenTheModelDoesNotBatch() {
    OutputScatter unbatched = new OutputScatter(false);
    Tensor out = fp32("OUT", 3, 1, 2, 3);
    unbatched.begin(List.of(out, fp32("OUT2", 1, 9)), 1);

    assertThat(unbatched.rowsOf(List.of("OUT"), 0, 1)).containsExactly(out);
    assertThat(unbatched.slice("OUT", 0, 1)).isSameAs(out);
  }

  @Test
  void shouldRefuseWhenTheBackendReturnedNoSuchOutput() {
    scatter.begin(List.of(fp32("OUT", 2, 1, 2)), 2);

    assertThatThrownBy(() -> scatter.rowsOf(List.of("MISSING"), 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the backend returned no output 'MISSING'");
  }

  @Test
  void shouldRefuseWhenTheOutputHasAnotherNumberOfRowsThanTheBatch() {
    scatter.begin(List.of(fp32("OUT", 3, 1, 2, 3)), 2);

    assertThatThrownBy(() -> scatter.rowsOf(List.of("OUT"), 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("output 'OUT' has shape [3,1] for a batch of 2");
  }

  @Test
  void shouldRefuseWhenABytesOutputIsTruncated() {
    ByteBuffer b = ByteBuffer.allocate(4 + 1 + 2).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1).put((byte) 'a').put((byte) 0).put((byte) 0).flip();
    scatter.begin(List.of(new Tensor("OUT", DataType.BYTES, new long[] {2, 1}, b)), 2);

    assertThatThrownBy(() -> scatter.rowsOf(List.of("OUT"), 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("BYTES output 'OUT' is truncated");
  }

  @Test
  void shouldRefuseWhenABytesElementRunsPastTheEnd() {
    ByteBuffer b = ByteBuffer.allocate(4 + 1 + 4 + 1).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1).put((byte) 'a').putInt(2).put((byte) 'b').flip();
    scatter.begin(List.of(new Tensor("OUT", DataType.BYTES, new long[] {2, 1}, b)), 2);

    assertThatThrownBy(() -> scatter.rowsOf(List.of("OUT"), 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("BYTES output 'OUT' is truncated");
  }

  @Test
  void shouldSliceABytesOutputThatEndsExactlyAtItsLimit() {
    ByteBuffer b = ByteBuffer.allocate(4 + 1 + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1).put((byte) 'a').putInt(0).flip();
    scatter.begin(List.of(new Tensor("OUT", DataType.BYTES, new long[] {2, 1}, b)), 2);

    assertThat(Requests.strings(scatter.rowsOf(List.of("OUT"), 1, 1).get(0))).containsExactly("");
  }

  @Test
  void shouldRefuseWhenABytesElementHasANegativeLength() {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(-4).putInt(0).flip();
    scatter.begin(List.of(new Tensor("OUT", DataType.BYTES, new long[] {2, 1}, b)), 2);

    assertThatThrownBy(() -> scatter.rowsOf(List.of("OUT"), 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("BYTES output 'OUT' has a negative length");
  }

  @Test
  void shouldSliceTheNewBatchWhenTheSameWorkerScattersAgain() {
    scatter.begin(List.of(bytes("OUT", 2, "old", "older")), 2);
    scatter.rowsOf(List.of("OUT"), 1, 1);
    scatter.end();

    scatter.begin(List.of(bytes("OUT", 2, "x", "yz")), 2);

    assertThat(Requests.strings(scatter.rowsOf(List.of("OUT"), 1, 1).get(0))).containsExactly("yz");
  }

  @Test
  void shouldSliceEveryOutputWhenALaterBatchHasMoreOutputs() {
    scatter.begin(List.of(fp32("OUT", 2, 1, 2)), 2);
    scatter.end();

    scatter.begin(List.of(fp32("OUT", 2, 1, 2), bytes("OUT2", 2, "p", "q")), 2);

    assertThat(Requests.strings(scatter.rowsOf(List.of("OUT", "OUT2"), 1, 1).get(1)))
        .containsExactly("q");
  }

  @Test
  void shouldAnswerTheRequestedOrderWhenOneRequestTakesEveryRow() {
    scatter.begin(List.of(fp32("OUT", 1, 1), fp32("OUT2", 1, 2)), 1);

    List<Tensor> swapped = scatter.rowsOf(List.of("OUT2", "OUT"), 0, 1);

    assertThat(swapped).extracting(Tensor::name).containsExactly("OUT2", "OUT");
  }
}
