package io.tensorgate.server.repository;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the {@code file:<version>/<name>} contents of a RepositoryModelLoad request into a private
 * folder inside the repository ({@code <repo>/.tensorgate/overrides/<model>-<n>}), never outside
 * it: every path is checked to stay under that folder before anything is written.
 */
final class OverrideFiles {
  static final String FILE_PREFIX = "file:";

  /** The most bytes one load request may write. */
  static final long MAX_TOTAL_BYTES = 2L << 30;

  private final Path repositoryRoot;
  private final Path overridesRoot;
  private final AtomicLong generation = new AtomicLong();

  OverrideFiles(Path repositoryRoot) {
    this.repositoryRoot = repositoryRoot;
    this.overridesRoot = repositoryRoot.resolve(".tensorgate").resolve("overrides");
  }

  /**
   * Writes the files and returns the folder that now plays the model's folder.
   *
   * @throws InferenceException INVALID_ARGUMENT for a path that would leave the folder, UNAVAILABLE
   *     when the repository cannot be written
   */
  Path write(String model, Map<String, byte[]> files) throws InferenceException {
    long total = 0;
    for (byte[] b : files.values()) {
      total += b.length;
    }
    if (total > MAX_TOTAL_BYTES) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "override files of model '"
              + model
              + "' total "
              + total
              + " bytes, more than "
              + MAX_TOTAL_BYTES);
    }
    Path dir = null;
    try {
      dir = freshFolder(model);
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        Path target = checkedTarget(dir, e.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, e.getValue());
      }
    } catch (IOException e) {
      delete(dir);
      throw new InferenceException(
          ErrorCode.UNAVAILABLE,
          "failed to write override files for model '" + model + "': " + e.getMessage());
    } catch (InferenceException e) {
      delete(dir);
      throw e;
    }
    return dir;
  }

  /**
   * Creates a new, empty folder for the model's files under the overrides folder, which must itself
   * resolve inside the repository (a link planted there would send the writes elsewhere).
   */
  private Path freshFolder(String model) throws IOException, InferenceException {
    Files.createDirectories(overridesRoot);
    Path realRoot = repositoryRoot.toRealPath();
    if (!overridesRoot.toRealPath().startsWith(realRoot)
        || Files.isSymbolicLink(overridesRoot)
        || Files.isSymbolicLink(overridesRoot.getParent())) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "the override folder "
              + overridesRoot
              + " resolves outside the model repository; refusing to write override files");
    }
    while (true) {
      Path dir = overridesRoot.resolve(model + "-" + generation.incrementAndGet()).normalize();
      if (!dir.getParent().equals(overridesRoot)) {
        throw badPath(model);
      }
      try {
        // Never reuse a folder left by an earlier run: it may hold anything.
        return Files.createDirectory(dir);
      } catch (FileAlreadyExistsException e) {
        // Taken: try the next generation.
      }
    }
  }

  private static Path checkedTarget(Path dir, String relative) throws InferenceException {
    if (relative.isEmpty()
        || relative.startsWith("/")
        || relative.contains("\\")
        || relative.indexOf('\0') >= 0) {
      throw badPath(relative);
    }
    Path target = dir.resolve(relative).normalize();
    if (!target.startsWith(dir) || target.equals(dir)) {
      throw badPath(relative);
    }
    for (Path p = target.getParent(); p != null && p.startsWith(dir); p = p.getParent()) {
      if (Files.isSymbolicLink(p)) {
        throw badPath(relative);
      }
    }
    return target;
  }

  private static InferenceException badPath(String relative) {
    return new InferenceException(
        ErrorCode.INVALID_ARGUMENT,
        "invalid override file path '"
            + FILE_PREFIX
            + relative
            + "': it must be relative and stay inside the model folder");
  }

  /** Deletes an override folder written earlier; quiet when it is already gone. */
  void delete(Path dir) {
    if (dir == null || !dir.startsWith(overridesRoot) || !Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // Left behind; a later start-up does not read it, and the generation number never repeats.
    }
  }
}
