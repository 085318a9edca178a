package io.tensorgate.backend.onnxruntime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StringTensorCodecsTest {
  private final Logger logger = Logger.getLogger(StringTensorCodecs.class.getName());
  private final List<LogRecord> records = new ArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLog() {
    logger.addHandler(capture);
  }

  @AfterEach
  void releaseLog() {
    logger.removeHandler(capture);
  }

  @Test
  void shouldFallBackToJavaStringsAndSayWhyWhenTheByteExactCodecCannotStart() {
    StringTensorCodec codec =
        StringTensorCodecs.choose(
            OrtEnvironment.getEnvironment(),
            () -> {
              throw new IllegalStateException("this build has no libx.so for linux-sparc");
            });

    assertThat(codec).isInstanceOf(JavaStringTensorCodec.class);
    assertThat(codec.unsupportedElement("x", TestModels.bytesElements(false, new byte[] {0})))
        .contains("NUL byte");
    assertThat(records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getLevel()).isEqualTo(Level.WARNING);
              assertThat(r.getMessage())
                  .contains(
                      "ONNX Runtime's Java strings",
                      "the byte-exact path is unavailable (this build has no libx.so for"
                          + " linux-sparc)");
            });
  }

  @Test
  void shouldChooseTheByteExactCodecWhenItsLibraryLoadsHere() {
    StringTensorCodec codec = StringTensorCodecs.choose(OrtEnvironment.getEnvironment());

    assertThat(codec).isInstanceOf(ByteExactStringTensorCodec.class);
    assertThat(codec.unsupportedElement("x", TestModels.bytesElements(false, new byte[] {0})))
        .isNull();
  }
}
