package io.tensorgate.backend.tensorrt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which shared libraries the host lacks, by name, so that an unavailable backend names everything
 * missing at once rather than only the first library the dynamic loader tripped on. Looks where the
 * loader and JavaCPP look: {@code LD_LIBRARY_PATH}, {@code java.library.path}, the JNI glue's run
 * paths and JavaCPP's link paths, the default folders and {@code /etc/ld.so.cache}. A library found
 * may still fail to load (a wrong version, a missing dependency of its own): the loader's words say
 * so.
 *
 * <p>Threading: immutable.
 */
final class LibraryCheck {
  /** Where the presets' JNI glue (RUNPATH) and JavaCPP (platform.linkpath) look, for x86-64. */
  private static final List<String> PRESET_FOLDERS =
      List.of(
          "/usr/local/cuda-13.1/targets/x86_64-linux/lib",
          "/usr/local/cuda-13.1/lib64",
          "/usr/local/cuda/lib64",
          "/usr/local/TensorRT-10.15.1.29/lib",
          "/usr/local/tensorrt/lib");

  private static final List<String> DEFAULT_FOLDERS =
      List.of(
          "/lib",
          "/usr/lib",
          "/lib64",
          "/usr/lib64",
          "/lib/x86_64-linux-gnu",
          "/usr/lib/x86_64-linux-gnu");

  private final List<Path> folders;
  private final String ldCache;

  /**
   * @param folders where a library file may lie
   * @param ldCache the dynamic loader's cache file's bytes as ISO-8859-1 text, empty for none
   */
  LibraryCheck(List<Path> folders, String ldCache) {
    this.folders = List.copyOf(folders);
    this.ldCache = Objects.requireNonNull(ldCache, "ldCache");
  }

  /** The folders and loader cache of this process's host. */
  static LibraryCheck ofThisHost() {
    Set<String> dirs = new LinkedHashSet<>();
    for (String list :
        new String[] {System.getenv("LD_LIBRARY_PATH"), System.getProperty("java.library.path")}) {
      if (list != null) {
        for (String d : list.split(":")) {
          if (!d.isBlank()) {
            dirs.add(d);
          }
        }
      }
    }
    dirs.addAll(PRESET_FOLDERS);
    dirs.addAll(DEFAULT_FOLDERS);
    String cache;
    try {
      cache =
          new String(Files.readAllBytes(Path.of("/etc/ld.so.cache")), StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException e) {
      cache = "";
    }
    return new LibraryCheck(dirs.stream().map(Path::of).toList(), cache);
  }

  /** The names among {@code libraries} that are neither in a folder nor in the loader's cache. */
  List<String> missing(List<String> libraries) {
    List<String> out = new ArrayList<>();
    for (String name : libraries) {
      if (!present(name)) {
        out.add(name);
      }
    }
    return out;
  }

  private boolean present(String name) {
    if (ldCache.contains("/" + name + "\0") || ldCache.contains("\0" + name + "\0")) {
      return true;
    }
    for (Path folder : folders) {
      if (Files.exists(folder.resolve(name))) {
        return true;
      }
    }
    return false;
  }
}
