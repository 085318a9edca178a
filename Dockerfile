# Tensorgate container: build with Maven, run on a JRE with the sample repository.
#   docker build -t tensorgate .
#   docker run --rm -p 8001:8001 -p 8002:8002 tensorgate
# Mount your own repository with -v /path/to/models:/models.

FROM maven:3.9-eclipse-temurin-17 AS build
# gcc compiles the ONNX Runtime backend's JNI library (byte-exact BYTES tensors).
RUN apt-get update -q && apt-get install -y -q --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml .
COPY proto proto
COPY client client
COPY backends backends
COPY batching batching
COPY server server
COPY loadtest loadtest
# The image only packages: tests and Error Prone's lock checks run in CI (mvn -B verify).
RUN mvn -B -q -pl server -am package -DskipTests -DskipErrorProne

# ONNX Runtime's native library needs glibc: use the Ubuntu-based JRE, not Alpine.
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 tensorgate
WORKDIR /opt/tensorgate
COPY --from=build /src/server/target/tensorgate-server.jar ./
COPY --from=build /src/server/target/lib ./lib
COPY models /models
USER tensorgate
EXPOSE 8000 8001 8002
ENTRYPOINT ["java", "-XX:+UseG1GC", "-jar", "/opt/tensorgate/tensorgate-server.jar", \
            "--grpc-address", "0.0.0.0", "--model-repository", "/models"]
