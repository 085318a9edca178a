package io.tensorgate.server.route;

import com.google.protobuf.TextFormat;
import io.tensorgate.proto.admin.v1.ModelRouting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * A model's routing file, {@code <repository>/<model>/routing.pbtxt}: a {@link ModelRouting} in
 * protobuf text format. Written atomically (a temporary file moved over it), so a reader, a poller
 * or a crash sees the old file or the new one.
 */
final class RoutingFiles {
  static final String FILE_NAME = "routing.pbtxt";
  private static final String HEADER =
      "# Routing of this model (tensorgate.admin.v1.ModelRouting, protobuf text format).\n"
          + "# Written by the server on every routing change; may be edited by hand (poll mode\n"
          + "# picks it up).\n";

  private final Path repository;

  RoutingFiles(Path repository) {
    this.repository = Objects.requireNonNull(repository, "repository");
  }

  Path path(String model) {
    return repository.resolve(model).resolve(FILE_NAME);
  }

  /** The file's text, or {@code null} when there is none. */
  String readText(String model) throws IOException {
    try {
      return Files.readString(path(model), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  static ModelRouting parse(String text) throws TextFormat.ParseException {
    ModelRouting.Builder b = ModelRouting.newBuilder();
    TextFormat.merge(text, b);
    return b.build();
  }

  /** Writes the routing and returns the text written. */
  String write(String model, ModelRouting routing) throws IOException {
    String text = HEADER + TextFormat.printer().printToString(routing);
    Path target = path(model);
    Path tmp = target.resolveSibling(FILE_NAME + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return text;
  }
}
