package io.tensorgate.backend.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CppDelete}'s virtual-table arithmetic on real C++ objects: classes shaped like TensorRT
 * 10's interfaces ({@code src/test/resources/cpp/tensorrt_shapes.cpp}) are compiled with g++ and
 * deleted through the production path, JavaCPP's CUDA glue included, in a JVM of its own ({@link
 * CppDeleteProbe}), since that JVM binds CUDA's names to empty stand-in libraries.
 */
class CppDeleteTest {
  @TempDir static Path dir;
  private static List<String> lines;

  @BeforeAll
  static void compileAndDelete() throws Exception {
    assumeTrue(onPath("g++"), "needs g++ to compile the C++ shapes");
    Path cpp = resource("cpp/tensorrt_shapes.cpp").getParent();
    run(
        "g++",
        "-std=c++17",
        "-shared",
        "-fPIC",
        "-O2",
        "-o",
        "libtensorrt_shapes.so",
        cpp.resolve("tensorrt_shapes.cpp").toString());
    run(
        "g++",
        "-shared",
        "-fPIC",
        "-Wl,-soname,libcuda.so.1",
        "-o",
        "libcuda.so.1",
        cpp.resolve("cuda_stub.cpp").toString());
    run(
        "g++",
        "-shared",
        "-fPIC",
        "-Wl,-soname,libcudart.so.13",
        "-Wl,--version-script=" + cpp.resolve("cudart_stub.map"),
        "-o",
        "libcudart.so.13",
        cpp.resolve("cuda_stub.cpp").toString());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    lines =
        run(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            CppDeleteProbe.class.getName(),
            dir.toString());
  }

  @Test
  void shouldDestroyAndFreeOnceWhenTheInterfaceIsNotTheObjectsFirstBase() {
    assertThat(lines)
        .contains("deleted 0: 0 destroyed=1 freed=1 1 destroyed=0 freed=0 2 destroyed=0 freed=0");
  }

  @Test
  void shouldDestroyAndFreeOnceWhenTheInterfaceDeclaresVirtualsAfterItsDestructor() {
    assertThat(lines)
        .contains("deleted 1: 0 destroyed=1 freed=1 1 destroyed=1 freed=1 2 destroyed=0 freed=0");
  }

  @Test
  void shouldDestroyAndFreeOnceWhenDeletingAnOnnxParser() {
    assertThat(lines)
        .contains("deleted 2: 0 destroyed=1 freed=1 1 destroyed=1 freed=1 2 destroyed=1 freed=1");
  }

  @Test
  void shouldDoNothingWhenTheAddressIsZero() {
    CppDelete.delete(0, CppDelete.NO_COPY);
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(CppDeleteTest.class.getClassLoader().getResource(name).toURI());
  }

  /** Runs a command in {@link #dir}, bounded, and returns its output lines; fails on exit != 0. */
  private static List<String> run(String... command) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().remove("LD_BIND_NOW"); // the stand-ins define no CUDA function
    Process p = pb.start();
    List<String> out = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                out.addAll(
                    new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList());
              } catch (IOException e) {
                out.add("reading the output failed: " + e);
              }
            });
    reader.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(p.exitValue()).as("%s exited with output %s", command[0], out).isZero();
    return out;
  }
}
