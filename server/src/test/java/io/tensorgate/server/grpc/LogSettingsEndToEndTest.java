package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.proto.inference.LogSettingsResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LogSettings reads and changes Triton's log settings at run time. */
class LogSettingsEndToEndTest {
  @TempDir Path repo;
  @TempDir Path logs;

  private static LogSettingsRequest.SettingValue str(String s) {
    return LogSettingsRequest.SettingValue.newBuilder().setStringParam(s).build();
  }

  @Test
  void shouldReportAllSixSettings() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo)) {
      LogSettingsResponse r = s.blocking().logSettings(LogSettingsRequest.getDefaultInstance());
      assertThat(r.getSettingsMap())
          .containsOnlyKeys(
              "log_file",
              "log_info",
              "log_warning",
              "log_error",
              "log_verbose_level",
              "log_format");
      assertThat(r.getSettingsMap().get("log_info").getBoolParam()).isTrue();
    }
  }

  @Test
  void shouldWriteJsonLinesToTheNewLogFileAfterUpdate() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Path file = logs.resolve("server.log");
    try (RunningServer s = RunningServer.start(repo)) {
      LogSettingsResponse r =
          s.blocking()
              .logSettings(
                  LogSettingsRequest.newBuilder()
                      .putSettings("log_file", str(file.toString()))
                      .putSettings("log_format", str("json"))
                      .putSettings(
                          "log_verbose_level",
                          LogSettingsRequest.SettingValue.newBuilder().setUint32Param(1).build())
                      .build());
      assertThat(r.getSettingsMap().get("log_format").getStringParam()).isEqualTo("json");
      assertThat(r.getSettingsMap().get("log_verbose_level").getUint32Param()).isEqualTo(1);
      s.blocking()
          .repositoryIndex(
              io.tensorgate.proto.inference.RepositoryIndexRequest.getDefaultInstance());
      s.blocking().modelInfer(Requests.simple(1));
    } finally {
      // Back to the console so later tests in this JVM do not log into the temp folder.
      new io.tensorgate.server.logging.LogControl(0);
    }
    Awaitility.await().until(() -> Files.exists(file) && Files.size(file) > 0);
    assertThat(Files.readAllLines(file)).allSatisfy(line -> assertThat(line).startsWith("{"));
  }

  @Test
  void shouldRefuseUnknownSettingAndWrongType() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo)) {
      assertThatThrownBy(
              () ->
                  s.blocking()
                      .logSettings(
                          LogSettingsRequest.newBuilder()
                              .putSettings("log_colour", str("x"))
                              .build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      assertThatThrownBy(
              () ->
                  s.blocking()
                      .logSettings(
                          LogSettingsRequest.newBuilder()
                              .putSettings("log_info", str("yes"))
                              .build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e ->
                  assertThat(e.getStatus().getDescription())
                      .isEqualTo("expect bool_param for 'log_info'"));
      assertThatThrownBy(
              () ->
                  s.blocking()
                      .logSettings(
                          LogSettingsRequest.newBuilder()
                              .putSettings("log_file", str("/no/such/dir/x.log"))
                              .build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
  }
}
