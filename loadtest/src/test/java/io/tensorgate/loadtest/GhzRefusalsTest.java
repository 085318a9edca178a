package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.DefaultChannelPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** What the ghz command line refuses, and how: exit code 2 and one line that says the way out. */
class GhzRefusalsTest {
  @RegisterExtension final GhzRig rig = new GhzRig(GhzCommandTest.SIMPLE_REQUEST);

  @Test
  void shouldRefuseCallDataTemplatesWithTheWayOut() {
    Cli cli = rig.ghz("--insecure", "-d", "{\"model_name\":\"{{.RequestNumber}}\"}");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("templates", "--disable-template-data");
  }

  @Test
  void shouldRefuseCallDataWithUnknownFieldsPrecisely() {
    Cli cli = rig.ghz("--insecure", "-d", "{\"model\":\"simple\"}");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).startsWith("error: call data is not a valid ModelInferRequest");
  }

  @Test
  void shouldRefuseUnimplementedGhzFlagsWithTheReason() {
    Cli cli = rig.ghz("--insecure", "--lb-strategy", "round_robin");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--lb-strategy is not supported");
  }

  @Test
  void shouldSayInsecureIsMissingWhenTheServerIsPlaintext() {
    Cli cli = rig.ghz("-n", "1", "--connect-timeout", "3s", "-D", rig.request().toString());

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--insecure");
  }

  @Test
  void shouldLogNoStackTraceWhenTheServerIsPlaintextAndTlsIsAsked() {
    // Netty logs an exception that no handler took at the pipeline's tail, with its stack trace.
    Logger tail = (Logger) LoggerFactory.getLogger(DefaultChannelPipeline.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    tail.addAppender(logged);
    try {
      Cli cli = rig.ghz("-n", "1", "--connect-timeout", "3s", "-D", rig.request().toString());

      assertThat(cli.exitCode()).isEqualTo(2);
    } finally {
      tail.detachAppender(logged);
    }
    assertThat(logged.list).isEmpty();
  }

  @Test
  void shouldRefuseMoreConnectionsThanWorkersAsGhzDoes() {
    Cli cli = rig.ghz("-c", "2", "--connections", "4", "--insecure");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("connections cannot be greater than concurrency");
  }
}
