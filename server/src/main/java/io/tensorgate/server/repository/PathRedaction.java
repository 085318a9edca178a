package io.tensorgate.server.repository;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the server's file system out of load errors, which reach clients (RPC errors,
 * RepositoryIndex reasons): paths inside the repository become relative to it, and any other
 * absolute path (a backend's native library, a temporary file) is cut to its last name. Backends'
 * own messages (ONNX Runtime, TensorRT) quote absolute paths freely, so this runs on every load
 * error, not only on the ones written here.
 */
final class PathRedaction {
  // An absolute path token: a '/' at the start or after a separator, then name characters.
  private static final Pattern ABSOLUTE =
      Pattern.compile("(?<=^|[\\s'\"(\\[=,])/[^\\s'\"():,\\]]*");

  // The private folder of a load's override files (OverrideFiles: .tensorgate/overrides/<session>/
  // <model>-<n>/), with whatever leads to it: the client named its files relative to the model.
  private static final Pattern OVERRIDE_FOLDER =
      Pattern.compile("[^\\s'\"(\\[=,]*\\.tensorgate/overrides/[^/\\s'\"]+/[^/\\s'\"]+/");

  private final List<String> roots;

  /**
   * @param repositoryRoots the repository as given and as resolved (links followed)
   */
  PathRedaction(Path... repositoryRoots) {
    List<String> r = new ArrayList<>();
    for (Path p : repositoryRoots) {
      String s = p.toString();
      if (!r.contains(s)) {
        r.add(s);
      }
    }
    // Longest first, so that a root inside another is not cut short.
    r.sort((a, b) -> b.length() - a.length());
    this.roots = List.copyOf(r);
  }

  String redact(String message) {
    if (message == null) {
      return "";
    }
    String m = message;
    m = OVERRIDE_FOLDER.matcher(m).replaceAll("");
    for (String root : roots) {
      m = m.replace(root + "/", "");
    }
    Matcher matcher = ABSOLUTE.matcher(m);
    StringBuilder sb = new StringBuilder();
    while (matcher.find()) {
      String path = matcher.group();
      int slash = path.lastIndexOf('/', path.length() - 2);
      String last = path.substring(slash + 1);
      matcher.appendReplacement(sb, Matcher.quoteReplacement(last.isEmpty() ? "/" : last));
    }
    matcher.appendTail(sb);
    return sb.toString();
  }
}
