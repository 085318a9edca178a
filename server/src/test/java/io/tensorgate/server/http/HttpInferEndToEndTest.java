package io.tensorgate.server.http;

import static io.tensorgate.server.http.HttpCalls.headerLength;
import static io.tensorgate.server.http.HttpCalls.int32;
import static io.tensorgate.server.http.HttpCalls.simpleJson;
import static io.tensorgate.server.http.HttpCalls.withBinary;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference over HTTP with a plain HttpClient, the calls Triton's {@code simple_http_*} examples
 * make: JSON and binary tensor data in every combination, strings, classification, sequences and
 * compression both ways.
 */
class HttpInferEndToEndTest {
  @TempDir static Path repo;
  static HttpCalls http;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo)
        .withSampleModel("simple")
        .withSampleModel("simple_string")
        .withSampleModel("simple_identity")
        .withSampleModel("simple_sequence")
        .withSampleModel("mlp_classifier");
    http = HttpCalls.start(TensorgateServer.builder().modelRepository(repo));
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.intValue()));
    return out;
  }

  private static List<Integer> range(int from, int step) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      out.add(from + i * step);
    }
    return out;
  }

  @Test
  void shouldAddAndSubtractWhenInputsAndOutputsAreJson() throws Exception {
    HttpCalls.Answer a = http.post("/v2/models/simple/infer", simpleJson());

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    assertThat(a.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode out = a.json();
    assertThat(out.path("model_name").asText()).isEqualTo("simple");
    assertThat(out.path("model_version").asText()).isEqualTo("1");
    assertThat(out.path("outputs").get(0).path("name").asText()).isEqualTo("OUTPUT0");
    assertThat(ints(out.path("outputs").get(0).path("shape"))).containsExactly(1, 16);
    assertThat(ints(out.path("outputs").get(0).path("data"))).isEqualTo(range(1, 1));
    assertThat(ints(out.path("outputs").get(1).path("data"))).isEqualTo(range(-1, 1));
  }

  @Test
  void shouldAcceptNestedDataWhenArraysFollowTheShape() throws Exception {
    String body =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
            + "\"data\":[[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]]},"
            + "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\","
            + "\"data\":[[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]]}]}";

    HttpCalls.Answer a = http.post("/v2/models/simple/infer", body);

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    assertThat(ints(a.json().path("outputs").get(0).path("data"))).isEqualTo(range(1, 1));
  }

  @Test
  void shouldReadDataWhenItComesBeforeDatatypeAndShape() throws Exception {
    String body =
        "{\"inputs\":[{\"data\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15],\"name\":\"INPUT0\","
            + "\"datatype\":\"INT32\",\"shape\":[1,16]},"
            + "{\"data\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],\"shape\":[1,16],"
            + "\"datatype\":\"INT32\",\"name\":\"INPUT1\"}]}";

    HttpCalls.Answer a = http.post("/v2/models/simple/infer", body);

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    assertThat(ints(a.json().path("outputs").get(1).path("data"))).isEqualTo(range(-1, 1));
  }

  @Test
  void shouldAnswerBinaryWhenInputsAndOutputsAreBinary() throws Exception {
    String json =
        "{\"id\":\"b1\",\"inputs\":["
            + "{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
            + "\"parameters\":{\"binary_data_size\":64}},"
            + "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\","
            + "\"parameters\":{\"binary_data_size\":64}}],"
            + "\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":true}},"
            + "{\"name\":\"OUTPUT1\",\"parameters\":{\"binary_data\":true}}]}";
    int[] x = range(0, 1).stream().mapToInt(Integer::intValue).toArray();
    int[] y = range(2, 0).stream().mapToInt(Integer::intValue).toArray();

    HttpCalls.Answer a =
        http.post(
            "/v2/models/simple/infer",
            withBinary(json, int32(x), int32(y)),
            "Inference-Header-Content-Length",
            Integer.toString(headerLength(json)));

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    assertThat(a.headers().firstValue("content-type")).hasValue("application/octet-stream");
    JsonNode head = a.header();
    assertThat(head.path("id").asText()).isEqualTo("b1");
    assertThat(head.path("outputs").get(0).path("parameters").path("binary_data_size").asInt())
        .isEqualTo(64);
    assertThat(head.path("outputs").get(0).has("data")).isFalse();
    ByteBuffer data = a.binary();
    assertThat(data.remaining()).isEqualTo(128);
    for (int i = 0; i < 16; i++) {
      assertThat(data.getInt(i * 4)).isEqualTo(i + 2);
      assertThat(data.getInt(64 + i * 4)).isEqualTo(i - 2);
    }
  }

  @Test
  void shouldMixJsonAndBinaryAsTritonsInferClientDoes() throws Exception {
    // simple_http_infer_client.py: INPUT0 as JSON, INPUT1 binary; OUTPUT0 binary, OUTPUT1 JSON.
    String json =
        "{\"inputs\":["
            + "{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
            + "\"data\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},"
            + "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\","
            + "\"parameters\":{\"binary_data_size\":64}}],"
            + "\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":true}},"
            + "{\"name\":\"OUTPUT1\",\"parameters\":{\"binary_data\":false}}]}";

    HttpCalls.Answer a =
        http.post(
            "/v2/models/simple/infer?test_1=1&test_2=2",
            withBinary(json, int32(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)),
            "Inference-Header-Content-Length",
            Integer.toString(headerLength(json)));

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    JsonNode head = a.header();
    assertThat(ints(head.path("outputs").get(1).path("data"))).isEqualTo(range(-1, 1));
    assertThat(a.binary().remaining()).isEqualTo(64);
    assertThat(a.binary().getInt(60)).isEqualTo(16);
  }

  @Test
  void shouldReturnEveryOutputBinaryWhenNoneIsNamedAndBinaryDataOutputIsSet() throws Exception {
    // What tritonclient sends when infer() gets no outputs.
    String json =
        simpleJson().substring(0, simpleJson().length() - 1)
            + ",\"parameters\":{\"binary_data_output\":true}}";

    HttpCalls.Answer a = http.post("/v2/models/simple/infer", json);

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    assertThat(a.header().path("outputs")).hasSize(2);
    assertThat(a.binary().remaining()).isEqualTo(128);
  }

  @Test
  void shouldRoundTripStringsWhenTheModelTakesBytes() throws Exception {
    StringBuilder a0 = new StringBuilder();
    StringBuilder a1 = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      a0.append(i == 0 ? "" : ",").append('"').append(i).append('"');
      a1.append(i == 0 ? "" : ",").append("\"1\"");
    }
    String body =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"BYTES\",\"data\":["
            + a0
            + "]},{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"BYTES\",\"data\":["
            + a1
            + "]}]}";

    HttpCalls.Answer a = http.post("/v2/models/simple_string/infer", body);

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    JsonNode out0 = a.json().path("outputs").get(0);
    assertThat(out0.path("datatype").asText()).isEqualTo("BYTES");
    assertThat(out0.path("data").get(15).asText()).isEqualTo("16");
  }

  @Test
  void shouldKeepNulAndAstralCharactersWhenJsonStringsGoThroughBytes() throws Exception {
    // simple_http_string_infer_client.py's identity check sends "he\u0000llo" as JSON.
    String body =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,3],\"datatype\":\"BYTES\","
            + "\"data\":[\"he\\u0000llo\",\"\",\"\\ud83d\\ude00\u4e2d\"]}]}";

    HttpCalls.Answer a = http.post("/v2/models/simple_identity/infer", body);

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    a.json().path("outputs").get(0).path("data").forEach(n -> out.add(n.asText()));
    assertThat(out).containsExactly("he\u0000llo", "", "\ud83d\ude00\u4e2d");
  }

  @Test
  void shouldReturnTheSameBytesWhenBinaryBytesAreNotUtf8() throws Exception {
    byte[] element = {0, (byte) 0xFF, (byte) 0xC0, (byte) 0x80, 'x'};
    byte[] section =
        ByteBuffer.allocate(4 + element.length)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(element.length)
            .put(element)
            .array();
    String json =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,1],\"datatype\":\"BYTES\","
            + "\"parameters\":{\"binary_data_size\":"
            + section.length
            + "}}],\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":true}}]}";

    HttpCalls.Answer a =
        http.post(
            "/v2/models/simple_identity/infer",
            withBinary(json, section),
            "Inference-Header-Content-Length",
            Integer.toString(headerLength(json)));

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    ByteBuffer data = a.binary();
    byte[] returned = new byte[data.remaining()];
    data.get(returned);
    assertThat(returned).isEqualTo(section);
  }

  @Test
  void shouldReturnTopClassesWhenAnOutputAsksForClassification() throws Exception {
    StringBuilder features = new StringBuilder();
    for (int i = 0; i < 64; i++) {
      features.append(i == 0 ? "" : ",").append(i / 64.0);
    }
    String body =
        "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,64],\"datatype\":\"FP32\",\"data\":["
            + features
            + "]}],\"outputs\":[{\"name\":\"probabilities\","
            + "\"parameters\":{\"classification\":3}}]}";

    HttpCalls.Answer a = http.post("/v2/models/mlp_classifier/infer", body);

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    JsonNode out = a.json().path("outputs").get(0);
    assertThat(out.path("datatype").asText()).isEqualTo("BYTES");
    assertThat(ints(out.path("shape"))).containsExactly(1, 3);
    assertThat(out.path("data")).hasSize(3);
    assertThat(out.path("data").get(0).asText()).matches("[0-9.e-]+:\\d+:.+");
  }

  @Test
  void shouldKeepSequenceStateWhenSequenceParametersAreGiven() throws Exception {
    String first =
        "{\"inputs\":[{\"name\":\"INPUT\",\"shape\":[1,1],\"datatype\":\"INT32\",\"data\":[5]}],"
            + "\"parameters\":{\"sequence_id\":1007,\"sequence_start\":true}}";
    String next =
        "{\"inputs\":[{\"name\":\"INPUT\",\"shape\":[1,1],\"datatype\":\"INT32\",\"data\":[5]}],"
            + "\"parameters\":{\"sequence_id\":1007,\"sequence_end\":true}}";

    HttpCalls.Answer a = http.post("/v2/models/simple_sequence/infer", first);
    HttpCalls.Answer b = http.post("/v2/models/simple_sequence/infer", next);

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    assertThat(b.status()).as(b.text()).isEqualTo(200);
    // The model adds START: the first request of a sequence returns INPUT + 1.
    assertThat(a.json().path("outputs").get(0).path("data").get(0).asInt()).isEqualTo(6);
    assertThat(b.json().path("outputs").get(0).path("data").get(0).asInt()).isEqualTo(5);
  }

  @Test
  void shouldInflateTheRequestWhenItIsGzipped() throws Exception {
    HttpCalls.Answer a =
        http.post("/v2/models/simple/infer", gzip(simpleJson()), "Content-Encoding", "gzip");

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    assertThat(ints(a.json().path("outputs").get(0).path("data"))).isEqualTo(range(1, 1));
  }

  @Test
  void shouldInflateTheRequestWhenItIsDeflated() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
      z.write(simpleJson().getBytes(StandardCharsets.UTF_8));
    }

    HttpCalls.Answer a =
        http.post("/v2/models/simple/infer", out.toByteArray(), "Content-Encoding", "deflate");

    assertThat(a.status()).as(a.text()).isEqualTo(200);
  }

  @Test
  void shouldGzipTheResponseWhenTheClientAcceptsGzip() throws Exception {
    HttpCalls.Answer a =
        http.post("/v2/models/simple/infer", simpleJson(), "Accept-Encoding", "gzip");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.headers().firstValue("content-encoding")).hasValue("gzip");
    String text =
        new String(
            new GZIPInputStream(new java.io.ByteArrayInputStream(a.body())).readAllBytes(),
            StandardCharsets.UTF_8);
    assertThat(text).contains("\"OUTPUT1\"");
  }

  @Test
  void shouldDeflateTheResponseWhenTheClientPrefersDeflate() throws Exception {
    HttpCalls.Answer a =
        http.post(
            "/v2/models/simple/infer", simpleJson(), "Accept-Encoding", "gzip;q=0.5, deflate");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.headers().firstValue("content-encoding")).hasValue("deflate");
    String text =
        new String(
            new InflaterInputStream(new java.io.ByteArrayInputStream(a.body())).readAllBytes(),
            StandardCharsets.UTF_8);
    assertThat(text).contains("\"OUTPUT1\"");
  }

  @Test
  void shouldEchoTheRequestIdWhenOneIsGiven() throws Exception {
    String body = "{\"id\":\"my-request\"," + simpleJson().substring(1);

    HttpCalls.Answer a = http.post("/v2/models/simple/infer", body);

    assertThat(a.json().path("id").asText()).isEqualTo("my-request");
  }

  @Test
  void shouldServeTheNamedVersionWhenThePathHasOne() throws Exception {
    HttpCalls.Answer a = http.post("/v2/models/simple/versions/1/infer", simpleJson());

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    assertThat(a.json().path("model_version").asText()).isEqualTo("1");
  }

  private static byte[] gzip(String s) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
