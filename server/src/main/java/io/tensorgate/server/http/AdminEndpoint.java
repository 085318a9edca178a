package io.tensorgate.server.http;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Tensorgate's admin services ({@code tensorgate.admin.v1.*}: routing, monitoring) over HTTP:
 * {@code POST /v2/tensorgate/<service>/<Method>} with the request message as JSON in the body
 * (protobuf's JSON mapping, through JsonFormat), answered with the response message as JSON. The
 * service is named by its short name ({@code routing} for {@code RoutingService}) or its full name.
 * Every unary method of every admin service the server registers is reachable, through the same
 * gRPC call (and access rules) a gRPC client makes; GET works for a method with an empty request.
 */
final class AdminEndpoint {
  private static final String PACKAGE = "tensorgate.admin.";

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().includingDefaultValueFields();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private final GrpcBridge bridge;

  /** By "service/Method", the method's descriptor for dynamic messages. Immutable. */
  private final Map<String, Method> methods;

  private record Method(
      MethodDescriptor<DynamicMessage, DynamicMessage> grpc, Descriptors.Descriptor input) {}

  AdminEndpoint(GrpcBridge bridge, List<ServerServiceDefinition> services) {
    this.bridge = Objects.requireNonNull(bridge, "bridge");
    Map<String, Method> m = new HashMap<>();
    for (ServerServiceDefinition def : services) {
      String name = def.getServiceDescriptor().getName();
      Object schema = def.getServiceDescriptor().getSchemaDescriptor();
      if (!name.startsWith(PACKAGE) || !(schema instanceof ProtoServiceDescriptorSupplier)) {
        continue;
      }
      Descriptors.ServiceDescriptor service =
          ((ProtoServiceDescriptorSupplier) schema).getServiceDescriptor();
      for (Descriptors.MethodDescriptor pm : service.getMethods()) {
        if (pm.isClientStreaming() || pm.isServerStreaming()) {
          continue;
        }
        Method method =
            new Method(
                MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(
                        MethodDescriptor.generateFullMethodName(
                            service.getFullName(), pm.getName()))
                    .setRequestMarshaller(
                        ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(pm.getInputType())))
                    .setResponseMarshaller(
                        ProtoUtils.marshaller(
                            DynamicMessage.getDefaultInstance(pm.getOutputType())))
                    .build(),
                pm.getInputType());
        m.put(service.getFullName() + "/" + pm.getName(), method);
        m.put(shortName(service.getName()) + "/" + pm.getName(), method);
      }
    }
    this.methods = Map.copyOf(m);
  }

  /** {@code RoutingService} is {@code routing}. */
  static String shortName(String service) {
    String s = service.endsWith("Service") ? service.substring(0, service.length() - 7) : service;
    return s.toLowerCase(Locale.ROOT);
  }

  void call(HttpExchange ex, String service, String name) {
    Method method = methods.get(service + "/" + name);
    if (method == null) {
      throw new HttpFailure(HttpResponseStatus.NOT_FOUND, "Not Found");
    }
    HttpMethod m = ex.method();
    if (!m.equals(HttpMethod.POST) && !(m.equals(HttpMethod.GET) && ex.body().length == 0)) {
      throw new HttpFailure(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    DynamicMessage.Builder request = DynamicMessage.newBuilder(method.input());
    if (ex.body().length > 0) {
      try {
        PARSER.merge(new String(ex.body(), StandardCharsets.UTF_8), request);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        String why = e.getMessage() == null ? "not valid JSON" : e.getMessage();
        throw HttpFailure.badRequest(
            "Unable to parse the request body as " + method.input().getName() + ": " + why);
      }
    }
    ex.call(
        bridge,
        method.grpc(),
        request.build(),
        response -> {
          try {
            ex.json(PRINTER.print(response).getBytes(StandardCharsets.UTF_8));
          } catch (InvalidProtocolBufferException e) {
            throw new HttpFailure(
                HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot write the response as JSON");
          }
        });
  }
}
