package io.tensorgate.server.http;

import io.grpc.ServerServiceDefinition;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Maps a request's path to its endpoint, as Triton's HTTP server does: {@code /v2}, {@code
 * /v2/health/{live,ready}}, {@code /v2/models/{m}[/versions/{v}][/ready|infer|config|stats]},
 * {@code /v2/models/stats}, {@code /v2/models/{m}/trace/setting}, {@code /v2/trace/setting}, {@code
 * /v2/logging}, {@code /v2/repository/...}, {@code /v2/systemsharedmemory/...}, {@code
 * /v2/cudasharedmemory/...}, plus Tensorgate's admin services at {@code /v2/tensorgate/...}.
 * Anything else is 404 {@code Not Found}; a known path with the wrong method is 405. A version may
 * be a number or a routing label.
 */
final class Router {
  private final ServerEndpoints server;
  private final SharedMemoryEndpoints shm;
  private final InferEndpoint infer;
  private final AdminEndpoint admin;

  Router(
      GrpcBridge bridge,
      List<ServerServiceDefinition> services,
      Pattern headerForward,
      int maxInputSize) {
    this.server = new ServerEndpoints(bridge);
    this.shm = new SharedMemoryEndpoints(bridge);
    this.infer = new InferEndpoint(bridge, headerForward, maxInputSize);
    this.admin = new AdminEndpoint(bridge, services);
  }

  void dispatch(HttpExchange ex) {
    List<String> s = ex.path();
    int n = s.size();
    if (n == 0 || !s.get(0).equals("v2")) {
      notFound(ex);
      return;
    }
    if (n == 1) {
      get(ex);
      server.serverMetadata(ex);
      return;
    }
    switch (s.get(1)) {
      case "health":
        if (n == 3 && (s.get(2).equals("live") || s.get(2).equals("ready"))) {
          get(ex);
          server.health(ex, s.get(2).equals("live"));
          return;
        }
        break;
      case "models":
        if (models(ex, s)) {
          return;
        }
        break;
      case "repository":
        if (repository(ex, s)) {
          return;
        }
        break;
      case "systemsharedmemory":
      case "cudasharedmemory":
        if (sharedMemory(ex, s, s.get(1).equals("cudasharedmemory"))) {
          return;
        }
        break;
      case "trace":
        if (n == 3 && s.get(2).equals("setting")) {
          getOrPost(ex);
          server.trace(ex, "");
          return;
        }
        break;
      case "logging":
        if (n == 2) {
          getOrPost(ex);
          server.logging(ex);
          return;
        }
        break;
      case "tensorgate":
        if (n == 4) {
          admin.call(ex, s.get(2), s.get(3));
          return;
        }
        break;
      default:
        break;
    }
    notFound(ex);
  }

  /** {@code /v2/models/...}; false when the path is not one of them. */
  private boolean models(HttpExchange ex, List<String> s) {
    int n = s.size();
    if (n == 3 && s.get(2).equals("stats")) {
      get(ex);
      server.statistics(ex, "", "");
      return true;
    }
    if (n < 3 || s.get(2).isEmpty()) {
      return false;
    }
    String model = s.get(2);
    int i = 3;
    String version = "";
    if (n >= 5 && s.get(3).equals("versions") && !s.get(4).isEmpty()) {
      version = s.get(4);
      i = 5;
    }
    String kind = String.join("/", s.subList(i, n));
    switch (kind) {
      case "":
        get(ex);
        server.modelMetadata(ex, model, version);
        return true;
      case "ready":
        get(ex);
        server.modelReady(ex, model, version);
        return true;
      case "infer":
        post(ex);
        infer.infer(ex, model, version);
        return true;
      case "config":
        get(ex);
        server.modelConfig(ex, model, version);
        return true;
      case "stats":
        get(ex);
        server.statistics(ex, model, version);
        return true;
      case "trace/setting":
        // Triton has no per-version trace settings.
        if (!version.isEmpty()) {
          return false;
        }
        getOrPost(ex);
        server.trace(ex, model);
        return true;
      default:
        return false;
    }
  }

  /** {@code /v2/repository[/{name}]/index} and {@code .../models/{m}/load|unload}. */
  private boolean repository(HttpExchange ex, List<String> s) {
    int n = s.size();
    int i = 2;
    String repository = "";
    if (n == 4 || n == 6) {
      repository = s.get(2);
      i = 3;
    }
    if (n - i == 1 && s.get(i).equals("index")) {
      post(ex);
      server.repositoryIndex(ex, repository);
      return true;
    }
    if (n - i == 3 && s.get(i).equals("models") && !s.get(i + 1).isEmpty()) {
      String action = s.get(i + 2);
      if (action.equals("load") || action.equals("unload")) {
        post(ex);
        server.repositoryControl(ex, repository, s.get(i + 1), action.equals("load"));
        return true;
      }
    }
    return false;
  }

  /** {@code /v2/{system,cuda}sharedmemory[/region/{r}]/status|register|unregister}. */
  private boolean sharedMemory(HttpExchange ex, List<String> s, boolean cuda) {
    int n = s.size();
    String region = "";
    int i = 2;
    if (n == 5 && s.get(2).equals("region") && !s.get(3).isEmpty()) {
      region = s.get(3);
      i = 4;
    }
    if (n != i + 1) {
      return false;
    }
    switch (s.get(i)) {
      case "status":
        get(ex);
        shm.status(ex, region, cuda);
        return true;
      case "register":
        post(ex);
        shm.register(ex, region, cuda);
        return true;
      case "unregister":
        post(ex);
        shm.unregister(ex, region, cuda);
        return true;
      default:
        return false;
    }
  }

  private static void notFound(HttpExchange ex) {
    ex.fail(HttpResponseStatus.NOT_FOUND, "Not Found");
  }

  private static void get(HttpExchange ex) {
    allow(ex, HttpMethod.GET, null);
  }

  private static void post(HttpExchange ex) {
    allow(ex, HttpMethod.POST, null);
  }

  private static void getOrPost(HttpExchange ex) {
    allow(ex, HttpMethod.GET, HttpMethod.POST);
  }

  private static void allow(HttpExchange ex, HttpMethod a, HttpMethod b) {
    HttpMethod m = ex.method();
    if (!m.equals(a) && !m.equals(b)) {
      throw new HttpExchange.HttpFailure(
          HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
  }
}
