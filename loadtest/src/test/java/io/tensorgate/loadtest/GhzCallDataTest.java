package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Where the ghz command line takes its call data from: a file, binary messages, stdin, a dump. */
class GhzCallDataTest {
  @TempDir Path dir;

  @RegisterExtension final GhzRig rig = new GhzRig(GhzCommandTest.SIMPLE_REQUEST);

  @Test
  void shouldWriteTheFramedRequestAndExitWhenDumpRequested() throws Exception {
    Path frame = dir.resolve("simple.grpc");

    Cli cli =
        rig.ghz("--insecure", "-D", rig.request().toString(), "--dump-request", frame.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    byte[] bytes = Files.readAllBytes(frame);
    assertThat(bytes[0]).isZero();
    int length = java.nio.ByteBuffer.wrap(bytes, 1, 4).getInt();
    assertThat(length).isEqualTo(bytes.length - 5);
    io.tensorgate.proto.inference.ModelInferRequest parsed =
        io.tensorgate.proto.inference.ModelInferRequest.parseFrom(
            java.util.Arrays.copyOfRange(bytes, 5, bytes.length));
    assertThat(parsed.getModelName()).isEqualTo("simple");
  }

  @Test
  void shouldSendLengthDelimitedBinaryMessagesRoundRobinWhenBinaryFileGiven() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    io.tensorgate.proto.inference.ModelInferRequest.newBuilder()
        .setModelName("simple")
        .build()
        .writeDelimitedTo(bytes);
    io.tensorgate.proto.inference.ModelInferRequest.newBuilder()
        .setModelName("missing")
        .build()
        .writeDelimitedTo(bytes);
    Path binary = dir.resolve("calls.bin");
    Files.write(binary, bytes.toByteArray());

    JsonNode report =
        rig.json(
            rig.ghz("-c", "1", "-n", "10", "--insecure", "-B", binary.toString(), "-O", "json"));

    // The echo server answers "simple" and refuses any other model: one of each, in turn.
    assertThat(report.get("statusCodeDistribution").get("OK").asLong()).isEqualTo(5);
    assertThat(report.get("statusCodeDistribution").get("NotFound").asLong()).isEqualTo(5);
    assertThat(report.get("options").get("binary").asBoolean()).isTrue();
  }

  @Test
  void shouldReadCallDataFromStdinWhenDataIsAt() throws Exception {
    Cli cli =
        Cli.execute(
            new java.io.ByteArrayInputStream(
                GhzCommandTest.SIMPLE_REQUEST.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            "-c",
            "2",
            "-n",
            "20",
            "--insecure",
            "-d",
            "@",
            "-O",
            "json",
            rig.host());

    assertThat(rig.json(cli).get("statusCodeDistribution").get("OK").asLong()).isEqualTo(20);
  }
}
