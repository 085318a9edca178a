package io.tensorgate.server.http;

import static io.tensorgate.server.http.HttpCalls.headerLength;
import static io.tensorgate.server.http.HttpCalls.int32;
import static io.tensorgate.server.http.HttpCalls.simpleJson;
import static io.tensorgate.server.http.HttpCalls.withBinary;
import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input over HTTP gets a 4xx (or Triton's 501 for an unknown coding) with a JSON error, quickly
 * and without allocating what the request only declares: never a 500, a hang or a crash. The server
 * here takes bodies of at most 1 MiB and drops connections idle for 2 s.
 */
class HttpBadInputEndToEndTest {
  static final int MAX = 1 << 20;

  @TempDir static Path repo;
  static HttpCalls http;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    http =
        HttpCalls.start(
            TensorgateServer.builder().modelRepository(repo),
            new HttpOptions().maxInputSize(MAX).idleTimeoutSeconds(2));
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
  }

  private static HttpCalls.Answer infer(String json) throws Exception {
    return http.post("/v2/models/simple/infer", json);
  }

  private static HttpCalls.Answer inferBinary(String json, int headerLength, byte[]... sections)
      throws Exception {
    return http.post(
        "/v2/models/simple/infer",
        withBinary(json, sections),
        "Inference-Header-Content-Length",
        Integer.toString(headerLength));
  }

  private static String input(String name, String rest) {
    return "{\"name\":\"" + name + "\",\"shape\":[1,16],\"datatype\":\"INT32\"," + rest + "}";
  }

  private static final String BINARY_INPUTS =
      "{\"inputs\":["
          + input("INPUT0", "\"parameters\":{\"binary_data_size\":64}")
          + ","
          + input("INPUT1", "\"parameters\":{\"binary_data_size\":64}")
          + "]}";

  @Test
  void shouldAnswerBadRequestWhenTheJsonIsMalformed() throws Exception {
    HttpCalls.Answer a = infer("{\"inputs\":[{\"name\":\"INPUT0\",");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).startsWith("failed to parse the request JSON buffer");
  }

  @Test
  void shouldAnswerBadRequestWhenTheBodyIsNotAnObject() throws Exception {
    assertThat(infer("[1,2,3]").status()).isEqualTo(400);
    assertThat(infer("").status()).isEqualTo(400);
  }

  @Test
  void shouldAnswerBadRequestWhenTheShapeHoldsStrings() throws Exception {
    HttpCalls.Answer a =
        infer(
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[\"1\"],\"datatype\":\"INT32\","
                + "\"data\":[1]}]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).startsWith("Unable to parse 'shape'");
  }

  @Test
  void shouldAnswerBadRequestWhenDataHasTheWrongType() throws Exception {
    HttpCalls.Answer a = infer("{\"inputs\":[" + input("INPUT0", "\"data\":[\"a\",\"b\"]") + "]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("Unable to parse 'data'", "expected an integer", "a string");
  }

  @Test
  void shouldAnswerBadRequestWhenAValueDoesNotFitTheDatatype() throws Exception {
    HttpCalls.Answer a = infer("{\"inputs\":[" + input("INPUT0", "\"data\":[30000000000]") + "]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("out of range", "INT32");
  }

  @Test
  void shouldAnswerBadRequestWhenTheDataHasMoreElementsThanTheShape() throws Exception {
    StringBuilder data = new StringBuilder("0");
    for (int i = 1; i < 17; i++) {
      data.append(',').append(i);
    }
    HttpCalls.Answer a = infer("{\"inputs\":[" + input("INPUT0", "\"data\":[" + data + "]") + "]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("Shape does not match true shape of 'data' field");
  }

  @Test
  void shouldAnswerBadRequestWhenTheHeaderLengthIsPastTheBody() throws Exception {
    HttpCalls.Answer a = inferBinary(BINARY_INPUTS, 1_000_000, int32(new int[16]));

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).startsWith("inference header size should be in range");
  }

  @Test
  void shouldAnswerBadRequestWhenTheHeaderLengthIsNotANumber() throws Exception {
    HttpCalls.Answer a =
        http.post(
            "/v2/models/simple/infer", simpleJson(), "Inference-Header-Content-Length", "12abc");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("Unable to parse Inference-Header-Content-Length, got: 12abc");
  }

  @Test
  void shouldAnswerBadRequestWhenABinaryInputRunsPastTheBody() throws Exception {
    HttpCalls.Answer a =
        inferBinary(BINARY_INPUTS, headerLength(BINARY_INPUTS), int32(new int[16]));

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error())
        .isEqualTo(
            "unexpected size for input 'INPUT1', expecting 64 additional bytes for model 'simple'");
  }

  @Test
  void shouldAnswerBadRequestWhenBinaryDataIsLeftOver() throws Exception {
    HttpCalls.Answer a =
        inferBinary(
            BINARY_INPUTS,
            headerLength(BINARY_INPUTS),
            int32(new int[16]),
            int32(new int[16]),
            new byte[3]);

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("unexpected additional input data for model 'simple'");
  }

  @Test
  void shouldAnswerBadRequestWhenBinaryDataComesWithoutTheHeaderLength() throws Exception {
    HttpCalls.Answer a = infer(BINARY_INPUTS);

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("Infer-Header-Content-Length");
  }

  @Test
  void shouldRefuseAHugeDeclaredShapeWithoutAllocatingIt() throws Exception {
    HttpCalls.Answer a =
        infer(
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,1099511627776],"
                + "\"datatype\":\"INT32\",\"data\":[1]}]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("exceeds the maximum allowed value of " + MAX + " bytes");
  }

  @Test
  void shouldRefuseAShapeWhoseElementCountOverflows() throws Exception {
    HttpCalls.Answer a =
        infer(
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[4611686018427387904,4],"
                + "\"datatype\":\"INT32\",\"data\":[1]}]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("causes total element count to exceed maximum size");
  }

  @Test
  void shouldRefuseAGzipBombOnceItInflatesPastTheLimit() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 64; i++) {
        z.write(zeros);
      }
    }
    assertThat(out.size()).isLessThan(MAX / 8);

    HttpCalls.Answer a =
        http.post("/v2/models/simple/infer", out.toByteArray(), "Content-Encoding", "gzip");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error())
        .isEqualTo(
            "Decompressed data size exceeds the maximum allowed value of "
                + MAX
                + " bytes. Use --http-max-input-size to increase the limit.");
  }

  @Test
  void shouldAnswerBadRequestWhenTheGzipBodyIsCorrupt() throws Exception {
    byte[] body = {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

    HttpCalls.Answer a = http.post("/v2/models/simple/infer", body, "Content-Encoding", "gzip");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).startsWith("failed to decompress");
  }

  @Test
  void shouldAnswerNotImplementedWithTheCodingsItTakesWhenTheCodingIsUnknown() throws Exception {
    HttpCalls.Answer a =
        http.post("/v2/models/simple/infer", simpleJson(), "Content-Encoding", "br");

    assertThat(a.status()).isEqualTo(501);
    assertThat(a.error()).isEqualTo("Unsupported compression type");
    assertThat(a.headers().firstValue("accept-encoding")).hasValue("gzip, deflate");
  }

  @Test
  void shouldRefuseADeclaredBodyPastTheLimitWithoutReadingIt() throws Exception {
    try (RawHttp raw = new RawHttp(http.port())) {
      raw.send(
          "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n");

      RawHttp.Response r = raw.read();

      assertThat(r.status()).isEqualTo(400);
      assertThat(r.text()).contains("exceeds the maximum allowed input size of " + MAX);
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void shouldRefuseTheGoAheadWhenTheExpectedBodyIsPastTheLimit() throws Exception {
    try (RawHttp raw = new RawHttp(http.port())) {
      raw.send(
          "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n"
              + "Expect: 100-continue\r\n\r\n");

      RawHttp.Response r = raw.read();

      assertThat(r.status()).isEqualTo(400);
      assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    }
  }

  @Test
  void shouldRefuseAChunkedBodyOnceItGrowsPastTheLimit() throws Exception {
    try (RawHttp raw = new RawHttp(http.port())) {
      raw.send(
          "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      String chunk = Integer.toHexString(64 << 10) + "\r\n" + "a".repeat(64 << 10) + "\r\n";
      RawHttp.Response r = null;
      for (int i = 0; i < 20 && r == null; i++) {
        try {
          raw.send(chunk);
        } catch (java.io.IOException closed) {
          break;
        }
      }
      r = raw.read();

      assertThat(r.status()).isEqualTo(400);
      assertThat(r.text()).contains("exceeds the maximum allowed input size");
    }
  }

  @Test
  void shouldAnswerBadRequestWhenTheJsonNestsTooDeep() throws Exception {
    String data = "[".repeat(150) + "1" + "]".repeat(150);
    HttpCalls.Answer a = infer("{\"inputs\":[" + input("INPUT0", "\"data\":" + data) + "]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("JSON nesting depth exceeds maximum allowed limit (100)");
  }

  @Test
  void shouldAnswerBadRequestWhenAKeyRepeats() throws Exception {
    HttpCalls.Answer a = infer("{\"inputs\":[],\"inputs\":[]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("Duplicate field 'inputs'");
  }

  @Test
  void shouldAnswerBadRequestWhenAnInputHasNoData() throws Exception {
    HttpCalls.Answer a = infer("{\"inputs\":[" + input("INPUT0", "\"parameters\":{}") + "]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("Input must set only one of the following fields", "no field");
  }

  @Test
  void shouldAnswerBadRequestWhenAnInputHasDataTwice() throws Exception {
    HttpCalls.Answer a =
        infer(
            "{\"inputs\":["
                + input("INPUT0", "\"parameters\":{\"binary_data_size\":0},\"data\":[]")
                + "]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("set 'data' 'binary_data_size'");
  }

  @Test
  void shouldCapTheMessageWhenItWouldEchoALongName() throws Exception {
    String name = "x".repeat(100_000);
    HttpCalls.Answer a =
        infer(
            "{\"inputs\":[{\"name\":\""
                + name
                + "\",\"shape\":[1,16],\"datatype\":\"INT32\","
                + "\"data\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error().length()).isLessThanOrEqualTo(512);
  }

  @Test
  void shouldAnswerBadRequestWhenTheIndexFilterIsNotABoolean() throws Exception {
    HttpCalls.Answer a = http.post("/v2/repository/index", "{\"ready\":\"yes\"}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("Invalid value for 'ready': expected a boolean");
  }

  @Test
  void shouldAnswerPipelinedRequestsInOrder() throws Exception {
    try (RawHttp raw = new RawHttp(http.port())) {
      byte[] body = simpleJson().getBytes(StandardCharsets.UTF_8);
      String infer =
          "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: "
              + body.length
              + "\r\n\r\n"
              + simpleJson();
      raw.send(infer + "GET /v2/models/nope HTTP/1.1\r\nHost: x\r\n\r\n" + infer);

      assertThat(raw.read().status()).isEqualTo(200);
      assertThat(raw.read().status()).isEqualTo(404);
      assertThat(raw.read().text()).contains("OUTPUT0");
    }
  }

  @Test
  void shouldCloseAConnectionThatStopsHalfWayThroughARequest() throws Exception {
    try (RawHttp raw = new RawHttp(http.port())) {
      raw.send("POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");

      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void shouldAnswerBadRequestAndCloseWhenTheRequestLineIsGarbage() throws Exception {
    try (RawHttp raw = new RawHttp(http.port())) {
      raw.send("\u0001\u0002 nonsense\r\n\r\n");

      RawHttp.Response r = raw.read();

      assertThat(r.status()).isEqualTo(400);
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void shouldAnswerVersionNotSupportedInHttp11WhenTheRequestIsHttp2() throws Exception {
    try (RawHttp raw = new RawHttp(http.port())) {
      // An HTTP/2 client with prior knowledge starts with this preface.
      raw.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

      RawHttp.Response r = raw.read();

      assertThat(r.protocol()).isEqualTo("HTTP/1.1");
      assertThat(r.status()).isEqualTo(505);
      assertThat(HttpCalls.JSON.readTree(r.body()).path("error").asText())
          .isEqualTo("only HTTP/1.0 and HTTP/1.1 are served on this port");
      assertThat(raw.closedByServer()).isTrue();
    }
  }
}
