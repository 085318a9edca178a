package io.tensorgate.server.repository;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the {@code file:<version>/<name>} contents of a RepositoryModelLoad request into a private
 * folder inside the repository, never outside it: every path is checked to stay under that folder
 * before anything is written.
 *
 * <p>Each server writes under its own session folder, {@code
 * <repo>/.tensorgate/overrides/<session>/<model>-<n>}, created on the first override and locked
 * ({@code .lock}, an OS file lock) for as long as the server runs. A server killed without a
 * shutdown (SIGKILL, a crash) leaves its folder behind with the lock released; {@link
 * #removeLeftovers()} deletes such folders at the next start, and never a folder whose lock another
 * running server holds (servers may share a repository).
 */
final class OverrideFiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OverrideFiles.class);

  static final String FILE_PREFIX = "file:";

  /** The most bytes one load request may write. */
  static final long MAX_TOTAL_BYTES = 2L << 30;

  static final String LOCK_FILE = ".lock";

  // A folder that exists nowhere, to check names before anything is created.
  private static final Path NOWHERE = Path.of("/nonexistent/override");

  /** The longest part of a client's file name quoted back in an error. */
  private static final int MAX_QUOTED_NAME = 64;

  private final Path repositoryRoot;
  private final Path overridesRoot;
  private final AtomicLong generation = new AtomicLong();

  // @GuardedBy("this"): the session folder, its lock file's channel and lock; null until the first
  // override is written.
  private Path session;
  private FileChannel lockChannel;
  private FileLock lock;

  OverrideFiles(Path repositoryRoot) {
    this.repositoryRoot = repositoryRoot;
    this.overridesRoot = repositoryRoot.resolve(".tensorgate").resolve("overrides");
  }

  /**
   * Deletes what servers that are no longer running left under the overrides folder: session
   * folders whose lock is free, and folders of the layout before sessions. Quiet when there is
   * nothing; a folder that cannot be deleted (read-only repository) is logged and kept.
   *
   * @return how many folders were deleted
   */
  int removeLeftovers() {
    if (!Files.isDirectory(overridesRoot, LinkOption.NOFOLLOW_LINKS) || !insideRepository()) {
      return 0;
    }
    List<Path> children = new ArrayList<>();
    try (Stream<Path> s = Files.list(overridesRoot)) {
      s.forEach(children::add);
    } catch (IOException e) {
      log.warn("could not list {} to remove leftovers: {}", overridesRoot, e.getMessage());
      return 0;
    }
    int removed = 0;
    for (Path child : children) {
      synchronized (this) {
        if (child.equals(session)) {
          continue;
        }
      }
      if (Files.isRegularFile(child.resolve(LOCK_FILE), LinkOption.NOFOLLOW_LINKS)
          && heldByARunningServer(child.resolve(LOCK_FILE))) {
        continue;
      }
      if (deleteTree(child)) {
        removed++;
      }
    }
    if (removed > 0) {
      log.info("removed {} override folder(s) left by servers that did not shut down", removed);
    }
    return removed;
  }

  /** Whether another process (or another server in this one) holds the lock. */
  private static boolean heldByARunningServer(Path lockFile) {
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      // Cannot tell: keep it.
      return true;
    }
  }

  /**
   * Writes the files and returns the folder that now plays the model's folder.
   *
   * @throws InferenceException INVALID_ARGUMENT for a path that would leave the folder or too many
   *     bytes, INTERNAL when the repository cannot be written (with the file system's reason, never
   *     a server path)
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
    for (String relative : files.keySet()) {
      checkedTarget(NOWHERE, relative);
    }
    Path dir = null;
    String current = null;
    try {
      dir = freshFolder(model);
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        current = e.getKey();
        Path target = checkedTarget(dir, e.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, e.getValue());
      }
    } catch (IOException e) {
      delete(dir);
      throw new InferenceException(
          ErrorCode.INTERNAL,
          "failed to write override file"
              + (current == null ? "s" : " '" + FILE_PREFIX + quoted(current) + "'")
              + ": "
              + reason(e));
    } catch (InferenceException e) {
      delete(dir);
      throw e;
    }
    return dir;
  }

  private static String quoted(String name) {
    return name.length() <= MAX_QUOTED_NAME
        ? name
        : name.substring(0, MAX_QUOTED_NAME) + "... (" + name.length() + " characters)";
  }

  /** The file system's reason without the path it names. */
  private static String reason(IOException e) {
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    if (e instanceof FileSystemException) {
      return "the file system refused the write";
    }
    return "I/O error";
  }

  /**
   * Creates a new, empty folder for the model's files in this server's session folder, which must
   * itself resolve inside the repository (a link planted there would send the writes elsewhere).
   */
  private Path freshFolder(String model) throws IOException, InferenceException {
    Path s = session();
    while (true) {
      Path dir = s.resolve(model + "-" + generation.incrementAndGet()).normalize();
      if (!dir.getParent().equals(s)) {
        throw badPath(model);
      }
      try {
        // Never reuse a folder: it may hold anything.
        return Files.createDirectory(dir);
      } catch (FileAlreadyExistsException e) {
        // Taken: try the next generation.
      }
    }
  }

  private synchronized Path session() throws IOException, InferenceException {
    if (session != null) {
      return session;
    }
    Files.createDirectories(overridesRoot);
    if (!insideRepository()) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "the override folder .tensorgate/overrides resolves outside the model repository;"
              + " refusing to write override files");
    }
    Path s = Files.createDirectory(overridesRoot.resolve(UUID.randomUUID().toString()));
    FileChannel ch =
        FileChannel.open(
            s.resolve(LOCK_FILE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      lock = ch.lock();
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    lockChannel = ch;
    session = s;
    return s;
  }

  private boolean insideRepository() {
    try {
      return overridesRoot.toRealPath().startsWith(repositoryRoot.toRealPath())
          && !Files.isSymbolicLink(overridesRoot)
          && !Files.isSymbolicLink(overridesRoot.getParent());
    } catch (IOException e) {
      return false;
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
            + quoted(relative)
            + "': it must be relative and stay inside the model folder");
  }

  /** Deletes an override folder written earlier; quiet when it is already gone. */
  void delete(Path dir) {
    if (dir == null || !dir.startsWith(overridesRoot) || !Files.exists(dir)) {
      return;
    }
    deleteTree(dir);
  }

  /** Deletes a tree without following links (a link is deleted, not what it points to). */
  private static boolean deleteTree(Path dir) {
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
      return true;
    } catch (IOException e) {
      // Left behind; the next start tries again.
      log.warn("could not delete override folder {}: {}", dir, e.getMessage());
      return false;
    }
  }

  /** Deletes this server's session folder and releases its lock; the server is stopping. */
  @Override
  public synchronized void close() {
    if (session == null) {
      return;
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      // The lock goes with the process anyway.
    }
    deleteTree(session);
    session = null;
  }
}
