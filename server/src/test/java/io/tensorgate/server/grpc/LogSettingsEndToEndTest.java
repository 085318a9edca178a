package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.proto.inference.LogSettingsResponse;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.logging.LogControl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LogSettings reads and changes Triton's log settings at run time, except the log file, which only
 * the start-up flag sets.
 */
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
  void shouldWriteJsonLinesToTheStartUpLogFileAfterFormatUpdate() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Path file = logs.resolve("server.log");
    LogControl control =
        new LogControl(new LogControl.Settings(file.toString(), true, true, true, 0, "default"));
    try (RunningServer s =
        RunningServer.start(TensorgateServer.builder().modelRepository(repo).logControl(control))) {
      LogSettingsResponse r =
          s.blocking()
              .logSettings(
                  LogSettingsRequest.newBuilder()
                      .putSettings("log_format", str("json"))
                      .putSettings(
                          "log_verbose_level",
                          LogSettingsRequest.SettingValue.newBuilder().setUint32Param(1).build())
                      .build());
      assertThat(r.getSettingsMap().get("log_file").getStringParam()).isEqualTo(file.toString());
      assertThat(r.getSettingsMap().get("log_format").getStringParam()).isEqualTo("json");
      assertThat(r.getSettingsMap().get("log_verbose_level").getUint32Param()).isEqualTo(1);
      long textBytes = Files.size(file);
      // A client fault is logged at info: a line to read back.
      RawCalls.callExpectingError(
          s.channel, GRPCInferenceServiceGrpc.getModelInferMethod(), RawCalls.MALFORMED);
      Awaitility.await().until(() -> Files.size(file) > textBytes);
      try (var in = Files.newInputStream(file)) {
        in.skipNBytes(textBytes);
        String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(json.lines()).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("{"));
      }
    } finally {
      // Back to the console so later tests in this JVM do not log into the temp folder.
      new LogControl(0);
    }
  }

  @Test
  void shouldCreateTheLogFileReadableByItsOwnerOnly() throws Exception {
    Path file = logs.resolve("private.log");
    try {
      new LogControl(new LogControl.Settings(file.toString(), true, true, true, 0, "default"));
      assertThat(Files.getPosixFilePermissions(file))
          .containsExactlyInAnyOrder(
              PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    } finally {
      new LogControl(0);
    }
  }

  @Test
  void shouldRefuseLogFileChangeWithTritonsStatusAndChangeNothing() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Path file = logs.resolve("stolen.log");
    try (RunningServer s = RunningServer.start(repo)) {
      assertThatThrownBy(
              () ->
                  s.blocking()
                      .logSettings(
                          LogSettingsRequest.newBuilder()
                              .putSettings("log_file", str(file.toString()))
                              .putSettings(
                                  "log_verbose_level",
                                  LogSettingsRequest.SettingValue.newBuilder()
                                      .setUint32Param(3)
                                      .build())
                              .build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo("log file location can not be updated through network protocol");
              });
      LogSettingsResponse now = s.blocking().logSettings(LogSettingsRequest.getDefaultInstance());
      assertThat(now.getSettingsMap().get("log_file").getStringParam()).isEmpty();
      assertThat(now.getSettingsMap().get("log_verbose_level").getUint32Param()).isZero();
      assertThat(file).doesNotExist();
    }
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
                      .isEqualTo("expect boolean for 'log_info'"));
      assertThatThrownBy(
              () ->
                  s.blocking()
                      .logSettings(
                          LogSettingsRequest.newBuilder()
                              .putSettings("log_format", str("xml"))
                              .build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e ->
                  assertThat(e.getStatus().getDescription())
                      .isEqualTo("invalid argument for log_format, got: xml"));
    }
  }
}
