package io.tensorgate.server.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A cheap summary of a model folder's files used by poll mode to tell whether a model changed since
 * it was loaded: the relative path of every entry and, for files, size, modification time and
 * identity (so a file replaced by another of the same size and time still counts as a change).
 *
 * <p>Folders count by name only: a folder's own modification time changes whenever an entry is
 * created or renamed in it, which is exactly what writing the routing file does (a temporary file
 * moved over {@code routing.pbtxt}); the names already show every entry added or removed.
 */
final class Fingerprints {
  /** The router's file (and its temporary twin), see server/route. */
  private static final String ROUTING_FILE = "routing.pbtxt";

  private Fingerprints() {}

  /**
   * What Triton checks before updating a served version in place: the folder the model loads from,
   * the version folder's files, and the model folder's own files other than config.pbtxt.
   */
  static long ofVersion(Path modelDir, Path versionDir) {
    long h = 31 * modelDir.toAbsolutePath().toString().hashCode() + of(versionDir);
    try (Stream<Path> files = Files.list(modelDir)) {
      for (Path p : (Iterable<Path>) files.sorted()::iterator) {
        String name = p.getFileName().toString();
        if (name.equals(RepositoryLayout.CONFIG_FILE)
            || name.startsWith(ROUTING_FILE)
            || !Files.isRegularFile(p)) {
          continue;
        }
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        h = 31 * h + name.hashCode();
        h = 31 * h + a.size();
        h = 31 * h + a.lastModifiedTime().toMillis();
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      return System.nanoTime(); // unreadable: never the same as before
    }
    return h;
  }

  static long of(Path modelDir) {
    long h = 1125899906842597L;
    try (Stream<Path> files = Files.walk(modelDir, 4)) {
      for (Path p : (Iterable<Path>) files.sorted()::iterator) {
        if (p.getFileName().toString().startsWith(ROUTING_FILE) && !p.equals(modelDir)) {
          continue; // routing changes are applied by the router, not by reloading the model
        }
        h = 31 * h + modelDir.relativize(p).toString().hashCode();
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        if (a.isDirectory()) {
          continue;
        }
        h = 31 * h + a.size();
        h = 31 * h + a.lastModifiedTime().toMillis();
        h = 31 * h + Objects.hashCode(a.fileKey());
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
    return h;
  }
}
