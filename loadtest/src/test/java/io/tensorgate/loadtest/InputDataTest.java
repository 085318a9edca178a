package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** perf_analyzer's input-data JSON and the payloads built from it. */
class InputDataTest {

  private static final String ONES = "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]";

  private static List<Map<String, InputDataFile.Value>> parse(String json) throws Exception {
    return InputDataFile.parse(new ObjectMapper().readTree(json));
  }

  private static ByteString int32s(int... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int value : values) {
      buffer.putInt(value);
    }
    return ByteString.copyFrom(buffer.array());
  }

  private static int[] range(int from, int count) {
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = from + i;
    }
    return out;
  }

  private static String list(int[] values) {
    return Arrays.toString(values);
  }

  @Test
  void shouldEncodeFlatListsLittleEndianWhenEntriesAreLists() throws Exception {
    var entries =
        parse("{\"data\":[{\"INPUT0\":" + list(range(0, 16)) + ",\"INPUT1\":" + ONES + "}]}");

    List<Payload> payloads =
        new PayloadFactory(ModelSignature.simple(), 1, Map.of()).fromData(entries);

    Payload.Input input0 = payloads.get(0).inputs().get(0);
    assertThat(input0.raw()).isEqualTo(int32s(range(0, 16)));
    assertThat(input0.shape()).containsExactly(1L, 16L);
  }

  @Test
  void shouldDecodeBase64WhenEntryGivesB64() throws Exception {
    String b64 = Base64.getEncoder().encodeToString(int32s(range(5, 16)).toByteArray());
    var entries =
        parse(
            "{\"data\":[{\"INPUT0\":{\"b64\":\""
                + b64
                + "\"},\"INPUT1\":{\"content\":{\"b64\":\""
                + b64
                + "\"}}}]}");

    Payload payload =
        new PayloadFactory(ModelSignature.simple(), 1, Map.of()).fromData(entries).get(0);

    assertThat(payload.inputs())
        .allSatisfy(i -> assertThat(i.raw()).isEqualTo(int32s(range(5, 16))));
  }

  @Test
  void shouldUseEntryShapeWhenContentAndShapeGiven() throws Exception {
    ModelSignature variable =
        new ModelSignature(
            "v", 0, List.of(new TensorSpec("X", "INT32", List.of(-1L, -1L))), List.of());
    var entries = parse("{\"data\":[{\"X\":{\"content\":[[1,2,3,4],[5,6,7,8]],\"shape\":[2,4]}}]}");

    Payload.Input x =
        new PayloadFactory(variable, 1, Map.of()).fromData(entries).get(0).inputs().get(0);

    assertThat(x.shape()).containsExactly(2L, 4L);
    assertThat(x.raw()).isEqualTo(int32s(1, 2, 3, 4, 5, 6, 7, 8));
  }

  @Test
  void shouldConcatenateConsecutiveEntriesWhenBatching() throws Exception {
    String entry0 = "{\"INPUT0\":" + list(range(0, 16)) + ",\"INPUT1\":" + ONES + "}";
    String entry1 = "{\"INPUT0\":" + list(range(100, 16)) + ",\"INPUT1\":" + ONES + "}";
    var entries = parse("{\"data\":[" + entry0 + "," + entry1 + "]}");

    List<Payload> payloads =
        new PayloadFactory(ModelSignature.simple(), 2, Map.of()).fromData(entries);

    assertThat(payloads).hasSize(2);
    assertThat(payloads.get(0).inputs().get(0).shape()).containsExactly(2L, 16L);
    assertThat(payloads.get(1).inputs().get(0).raw())
        .isEqualTo(int32s(range(100, 16)).concat(int32s(range(0, 16))));
  }

  @Test
  void shouldReadSequenceStreamsOneAfterAnotherWhenDataIsNested() throws Exception {
    var entries = parse("{\"data\":[[{\"A\":[1]},{\"A\":[2]}],[{\"A\":[3]}]]}");

    assertThat(entries)
        .extracting(e -> e.get("A").values().get(0).asInt())
        .containsExactly(1, 2, 3);
  }

  @Test
  void shouldRejectEntryWhenSizeDoesNotMatchShape() throws Exception {
    var entries = parse("{\"data\":[{\"INPUT0\":[1,2,3],\"INPUT1\":" + ONES + "}]}");
    PayloadFactory factory = new PayloadFactory(ModelSignature.simple(), 1, Map.of());

    assertThatThrownBy(() -> factory.fromData(entries))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("INPUT0")
        .hasMessageContaining("16 elements");
  }

  @Test
  void shouldRejectEntryWhenInputIsMissing() throws Exception {
    var entries = parse("{\"data\":[{\"INPUT0\":" + ONES + "}]}");
    PayloadFactory factory = new PayloadFactory(ModelSignature.simple(), 1, Map.of());

    assertThatThrownBy(() -> factory.fromData(entries))
        .hasMessageContaining("no value for input 'INPUT1'");
  }

  @Test
  void shouldRejectFileWhenDataArrayIsMissing() {
    assertThatThrownBy(() -> parse("{\"inputs\":[]}")).hasMessageContaining("\"data\"");
  }

  @Test
  void shouldEncodeStringsWithLengthPrefixWhenDatatypeIsBytes() throws Exception {
    byte[] raw =
        TensorEncoding.encode(WireType.BYTES, new ObjectMapper().readTree("[\"ab\",\"c\"]"));

    assertThat(raw).containsExactly(2, 0, 0, 0, 'a', 'b', 1, 0, 0, 0, 'c');
    assertThat(TensorEncoding.elementCount(WireType.BYTES, raw)).isEqualTo(2);
  }

  @Test
  void shouldCarrySameValuesWhenConvertedToTypedContents() {
    assertThat(TensorEncoding.toTyped(WireType.INT32, int32s(-1, 7)).getIntContentsList())
        .containsExactly(-1, 7);
  }

  @Test
  void shouldSendZerosWithBatchDimensionWhenZeroDataAsked() {
    Payload payload = new PayloadFactory(ModelSignature.simple(), 3, Map.of()).zero().get(0);

    assertThat(payload.inputs().get(0).shape()).containsExactly(3L, 16L);
    assertThat(payload.inputs().get(0).raw()).isEqualTo(ByteString.copyFrom(new byte[3 * 16 * 4]));
  }

  @Test
  void shouldRejectBatchSizeWhenModelDoesNotBatch() {
    ModelSignature unbatched =
        new ModelSignature("u", 0, ModelSignature.simple().inputs(), List.of());

    assertThatThrownBy(() -> new PayloadFactory(unbatched, 2, Map.of()))
        .hasMessageContaining("does not batch");
  }
}
