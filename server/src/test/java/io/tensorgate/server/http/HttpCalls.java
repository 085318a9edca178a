package io.tensorgate.server.http;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A Tensorgate with HTTP on a free loopback port and a plain {@link HttpClient} (HTTP/1.1) to it:
 * what a user without a Triton client has. Closes both.
 */
final class HttpCalls implements AutoCloseable {
  static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  final RunningServer server;
  final HttpClient client;
  final String base;

  private HttpCalls(RunningServer server, HttpClient client) {
    this.server = server;
    this.client = client;
    this.base = "http://127.0.0.1:" + server.server.httpPort();
  }

  static HttpCalls start(TensorgateServerBuilder builder) throws Exception {
    return start(builder, new HttpOptions());
  }

  static HttpCalls start(TensorgateServerBuilder builder, HttpOptions http) throws Exception {
    RunningServer s = RunningServer.start(builder.http(http.port(0)));
    return new HttpCalls(
        s,
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build());
  }

  int port() {
    return server.server.httpPort();
  }

  /** One answer: status, headers and body. */
  record Answer(int status, HttpHeaders headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + text(), e);
      }
    }

    /** The JSON part of a response with binary tensor data after it. */
    JsonNode header() {
      int n = Integer.parseInt(headers.firstValue("Inference-Header-Content-Length").orElseThrow());
      try {
        return JSON.readTree(body, 0, n);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The binary tensor data after the JSON header. */
    ByteBuffer binary() {
      int n = Integer.parseInt(headers.firstValue("Inference-Header-Content-Length").orElseThrow());
      return ByteBuffer.wrap(body, n, body.length - n).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    String error() {
      return json().path("error").asText();
    }
  }

  Answer get(String path, String... headers) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
  }

  Answer post(String path, String json, String... headers) throws Exception {
    return post(path, json.getBytes(StandardCharsets.UTF_8), headers);
  }

  Answer post(String path, byte[] body, String... headers) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
        headers);
  }

  private Answer send(HttpRequest.Builder b, String... headers) throws Exception {
    b.timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(r.statusCode(), r.headers(), r.body());
  }

  /** A JSON infer request body for {@code simple}: INPUT0 = 0..15, INPUT1 = ones. */
  static String simpleJson() {
    return "{\"inputs\":["
        + "{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
        + "\"data\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},"
        + "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\","
        + "\"data\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}";
  }

  /** Little-endian INT32 bytes. */
  static byte[] int32(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }

  /** A JSON header followed by binary sections, as Triton's binary tensor data extension sends. */
  static byte[] withBinary(String json, byte[]... sections) {
    byte[] head = json.getBytes(StandardCharsets.UTF_8);
    int n = head.length;
    for (byte[] s : sections) {
      n += s.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n).put(head);
    for (byte[] s : sections) {
      b.put(s);
    }
    return b.array();
  }

  static int headerLength(String json) {
    return json.getBytes(StandardCharsets.UTF_8).length;
  }

  @Override
  public void close() throws InterruptedException {
    server.close();
  }
}
