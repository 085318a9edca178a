package io.tensorgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import io.tensorgate.server.repository.FuzzModels;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the HTTP codec: the JSON inference request ({@link InferRequestReader} with {@link
 * TensorJsonReader}), Triton's binary tensor data layout ({@code Inference-Header-Content-Length}
 * and {@code binary_data_size} sections), request body inflation ({@link RequestBodies}) and the
 * response writer ({@link InferResponseWriter}).
 *
 * <p>The property: an input is either refused with an {@link HttpFailure} whose status is a 4xx
 * (5xx only for a response the server itself made inconsistent) and whose message is short, or
 * accepted, and then what came out is consistent: a raw content per input (binary sections lie
 * inside the body and use all of it), and the gRPC path's decoder turns the request into tensors
 * whose data fits their shapes or refuses it for the client's fault (not INTERNAL), for every model
 * of {@code FuzzModels}; an inflated body stays within the limit. Any other exception, an
 * OutOfMemoryError (from sizing from a declared shape) or a hang is a finding. Seeds live in {@code
 * HttpCodecFuzzTestInputs/<method>/} and replay in every build; {@code JAZZER_FUZZ=1} fuzzes (see
 * scripts/reliability/fuzz.sh).
 */
class HttpCodecFuzzTest {
  /** A small limit, so that the refusals past it are reached quickly. */
  static final int MAX = 1 << 20;

  @TempDir static Path shmRoot;

  private static List<ModelIo> models;
  private static RequestDecoder decoder;

  @BeforeAll
  static void setUp() throws IOException, InferenceException {
    models = FuzzModels.all();
    decoder = new RequestDecoder(new SharedMemoryRegistry(shmRoot));
  }

  /** The whole input is the JSON body of an inference request. */
  @FuzzTest
  void readJsonRequest(byte[] input) {
    read(input, input.length);
  }

  /**
   * A JSON header and binary sections: the input reads {@code <header value>\n<json>\0<binary>},
   * the body is the JSON and the binary data, and the header value {@code =} stands for the JSON's
   * exact length (anything else is sent as it is).
   */
  @FuzzTest
  void readBinaryRequest(byte[] input) {
    int nl = indexOf(input, (byte) '\n', 0);
    if (nl < 0) {
      return;
    }
    String value = new String(input, 0, nl, StandardCharsets.ISO_8859_1);
    int nul = indexOf(input, (byte) 0, nl + 1);
    int jsonEnd = nul < 0 ? input.length : nul;
    byte[] body = new byte[input.length - nl - 1 - (nul < 0 ? 0 : 1)];
    System.arraycopy(input, nl + 1, body, 0, jsonEnd - nl - 1);
    if (nul >= 0) {
      System.arraycopy(input, nul + 1, body, jsonEnd - nl - 1, input.length - nul - 1);
    }
    HttpHeaders headers = new DefaultHttpHeaders();
    try {
      headers.set(
          InferEndpoint.HEADER_LENGTH,
          value.equals("=") ? Integer.toString(jsonEnd - nl - 1) : value);
    } catch (IllegalArgumentException e) {
      return; // a value HTTP cannot carry: Netty's decoder never delivers it
    }
    int headerLength;
    try {
      headerLength = InferEndpoint.headerLength(headers, body.length);
    } catch (HttpFailure e) {
      refused(e);
      return;
    }
    assertThat(headerLength).isBetween(0, body.length);
    if (headerLength > 0) {
      read(body, headerLength);
    }
  }

  private static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** A request body sent with Content-Encoding gzip or deflate. */
  @FuzzTest
  void inflateBody(byte[] input) {
    String coding = input.length > 0 && (input[0] & 1) == 0 ? "gzip" : "deflate";
    ByteBuf content = Unpooled.wrappedBuffer(input);
    try {
      byte[] out = RequestBodies.read(coding, content, 4096);
      assertThat(out.length).isLessThanOrEqualTo(4096);
    } catch (HttpFailure e) {
      refused(e);
    }
  }

  /** A response with fuzzed outputs, written as JSON or binary. */
  @FuzzTest
  void writeResponse(FuzzedDataProvider data) {
    ModelInferResponse.Builder r =
        ModelInferResponse.newBuilder().setModelName("m").setModelVersion("1");
    if (data.consumeBoolean()) {
      r.setId(data.consumeString(8));
    }
    int outputs = data.consumeInt(0, 4);
    for (int i = 0; i < outputs; i++) {
      ModelInferResponse.InferOutputTensor.Builder out =
          r.addOutputsBuilder()
              .setName("o" + i)
              .setDatatype(
                  data.consumeBoolean()
                      ? data.pickValue(DataType.values()).wireName()
                      : data.consumeString(6));
      int dims = data.consumeInt(0, 3);
      for (int d = 0; d < dims; d++) {
        out.addShape(data.consumeInt(0, 64));
      }
      r.addRawOutputContents(ByteString.copyFrom(data.consumeBytes(256)));
    }
    InferResponseWriter.Kind fallback = data.pickValue(InferResponseWriter.Kind.values());
    try {
      InferResponseWriter.Encoded e =
          InferResponseWriter.write(
              r.build(),
              new InferResponseWriter.Plan(Map.of(), fallback),
              io.netty.buffer.ByteBufAllocator.DEFAULT);
      try {
        assertThat(e.jsonLength()).isPositive().isLessThanOrEqualTo(e.body().readableBytes());
        HttpCalls.JSON.readTree(
            e.body()
                .toString(0, e.jsonLength(), StandardCharsets.UTF_8)
                .getBytes(StandardCharsets.UTF_8));
      } finally {
        e.body().release();
      }
    } catch (HttpFailure f) {
      assertThat(f.getMessage()).isNotBlank();
    } catch (java.io.IOException bad) {
      throw new AssertionError("the writer produced JSON that does not parse", bad);
    }
  }

  private static void read(byte[] body, int headerLength) {
    InferRequestReader.Decoded d;
    try {
      d = InferRequestReader.read("simple", "", body, headerLength, MAX, Map.of());
    } catch (HttpFailure e) {
      refused(e);
      return;
    }
    ModelInferRequest req = d.request();
    assertThat(req.getModelName()).isEqualTo("simple");
    int raw = 0;
    for (InferInputTensor in : req.getInputsList()) {
      if (!in.getParametersMap().containsKey("shared_memory_region")) {
        raw++;
      }
    }
    assertThat(req.getRawInputContentsCount()).as("a raw content per input").isEqualTo(raw);
    // What the HTTP codec accepted goes on to the gRPC path's decoder: it must decode into
    // consistent tensors or be refused for the client's fault, whatever the model.
    for (ModelIo io : models) {
      DecodedRequest decoded;
      try {
        decoded = decoder.decode(req, io, InferenceRequest.builder());
      } catch (InferenceException e) {
        assertThat(e.code().name()).as(e.getMessage()).isNotEqualTo("INTERNAL");
        continue;
      }
      for (Tensor t : decoded.inputs()) {
        if (t.dataType().isFixedSize()) {
          assertThat((long) t.data().remaining())
              .isEqualTo(Shapes.elementCount(t.shape()) * t.dataType().byteSize());
        }
      }
    }
  }

  private static void refused(HttpFailure e) {
    assertThat(e.status().code()).as(e.getMessage()).isBetween(400, 499);
    assertThat(e.getMessage()).isNotBlank();
    assertThat(HttpErrors.body(e.getMessage()).length).isLessThan(1024);
  }
}
