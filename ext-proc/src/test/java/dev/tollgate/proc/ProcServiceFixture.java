package dev.tollgate.proc;

import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.InvalidConfigException;
import dev.tollgate.core.policy.PolicySnapshot;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** ExternalProcessorService bound with its interceptor on an in-process server; one channel per stage. */
abstract class ProcServiceFixture {
  static final int BODY_LIMIT = 4096;
  static final String REQUEST_ID = "req_0123456789abcdef0123456789abcdef";

  static final String POLICY_YAML = """
      limits:
        max_request_body_bytes: %d
      backends:
        - name: local
          kind: openai-compatible
          endpoints: [ { host: 127.0.0.1, port: 8000 } ]
      models:
        - name: gpt-4o-mini
          targets: [ { backend: local } ]
        - name: gpt-4o
          targets: [ { backend: local } ]
      consumers:
        - name: app
          models: [ "gpt-4o-mini" ]
        - name: ops
          models: [ "*" ]
      """.formatted(BODY_LIMIT);

  final AtomicReference<PolicySnapshot> policy = new AtomicReference<>(policy(POLICY_YAML, "v1"));
  ExternalProcessorService service;
  private Server server;
  private ManagedChannel channel;
  private io.grpc.Channel upstreamChannel;

  static PolicySnapshot policy(String yaml, String version) {
    try {
      return PolicySnapshot.from(new ConfigLoader(n -> null).parse(yaml, "test.yaml").config(), version);
    } catch (InvalidConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  @BeforeEach
  void startServer() throws IOException {
    service = new ExternalProcessorService(policy::get, Duration.ofMinutes(5));
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(service.definition()).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    Metadata stage = new Metadata();
    stage.put(Metadata.Key.of("x-tollgate-ext-proc-stage", Metadata.ASCII_STRING_MARSHALLER), "upstream");
    upstreamChannel = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(stage));
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** A stream of the router-level filter (no stage metadata). */
  ProcStream routerStream() {
    return new ProcStream(channel);
  }

  /** A stream of a backend cluster's upstream filter (stage metadata attached). */
  ProcStream upstreamStream() {
    return new ProcStream(upstreamChannel);
  }

  static Map<String, String> postHeaders(String path, String requestId, int contentLength) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":method", "POST");
    headers.put(":path", path);
    headers.put(":authority", "localhost:10000");
    headers.put(":scheme", "http");
    headers.put("content-type", "application/json");
    headers.put("content-length", Integer.toString(contentLength));
    if (requestId != null) {
      headers.put("x-tollgate-request-id", requestId);
    }
    return headers;
  }

  static Map<String, String> chatHeaders(String requestId, String body) {
    return postHeaders("/v1/chat/completions", requestId, body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
  }
}
