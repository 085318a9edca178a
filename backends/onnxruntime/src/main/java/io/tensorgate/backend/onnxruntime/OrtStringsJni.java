package io.tensorgate.backend.onnxruntime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * The JNI functions of {@code src/main/native/ort_strings.c}: ONNX Runtime's C API calls that set
 * and read string tensor elements as bytes, on the ONNX Runtime library the Java API loaded (never
 * a second copy). The build compiles the library for Linux into this package's {@code native/}
 * resources; {@link #load} loads it once per process.
 *
 * <p>Handles are addresses as {@code long}: {@code api} is the {@code OrtApi} table from {@link
 * #findApi}, {@code value} an {@code OrtValue}. Failures throw {@link IllegalStateException} (ONNX
 * Runtime's message) or {@link IllegalArgumentException} (a malformed buffer); nothing is left
 * allocated after a throw.
 */
final class OrtStringsJni {
  /** The soname of ONNX Runtime 1.x's library, as the Java API's native folder holds it. */
  static final String ONNX_RUNTIME_SONAME = "libonnxruntime.so.1";

  private static final String LIBRARY = "tensorgate_ortstrings";

  private OrtStringsJni() {}

  /**
   * Loads the JNI library the first time it is called; later calls repeat the first answer.
   *
   * @throws IllegalStateException when there is no library for this platform or it does not load
   */
  static void load() {
    if (Loaded.FAILURE != null) {
      throw new IllegalStateException(Loaded.FAILURE);
    }
  }

  /** Class initialization loads the library exactly once, whoever asks first. */
  private static final class Loaded {
    static final String FAILURE = loadLibrary();
  }

  private static String loadLibrary() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String platform =
        (os.startsWith("linux") ? "linux" : os.replace(' ', '_'))
            + "-"
            + System.getProperty("os.arch", "");
    String file = System.mapLibraryName(LIBRARY);
    String resource = "native/" + platform + "/" + file;
    try (InputStream in = OrtStringsJni.class.getResourceAsStream(resource)) {
      if (in == null) {
        return "this build has no " + file + " for " + platform;
      }
      // A private copy: the JVM loads libraries from files only. Deleted once loaded.
      Path copy =
          Files.createTempFile(
              "tensorgate-ortstrings",
              ".so",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        System.load(copy.toString());
      } finally {
        Files.deleteIfExists(copy);
      }
      return null;
    } catch (IOException | UnsupportedOperationException e) {
      return "cannot unpack " + file + ": " + e.getMessage();
    } catch (LinkageError e) {
      return file + " did not load: " + e.getMessage();
    }
  }

  /**
   * The {@code OrtApi} table of the ONNX Runtime already loaded in this process, found by its
   * soname or, failing that, by its file name.
   *
   * @throws IllegalStateException when no ONNX Runtime is loaded or it is older than API 15
   */
  static native long findApi(String libraryName);

  /** ONNX Runtime's default CPU allocator, the one the Java API's tensors use. */
  static native long defaultAllocator(long api);

  /**
   * Creates a string tensor of {@code shape} from {@code count} BYTES elements at {@code
   * offset..offset+length} of a direct buffer. The caller owns the returned {@code OrtValue}.
   *
   * @throws IllegalArgumentException when the buffer is not direct or its elements do not fill
   *     exactly {@code length} bytes
   */
  static native long createStringTensor(
      long api, long allocator, ByteBuffer data, int offset, int length, long[] shape, long count);

  /** The total bytes of a string tensor's elements, without their length prefixes. */
  static native long stringDataLength(long api, long value);

  /**
   * Writes a string tensor's {@code count} elements into {@code out} as BYTES elements (a 4-byte
   * little-endian length, then the bytes); {@code out} must be exactly their size.
   */
  static native void readStringTensor(long api, long value, long count, byte[] out);

  /** Releases an {@code OrtValue} that no Java object owns. */
  static native void releaseValue(long api, long value);
}
