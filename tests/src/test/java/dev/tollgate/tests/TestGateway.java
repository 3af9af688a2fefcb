package dev.tollgate.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.cli.runtime.GatewayRuntime;
import dev.tollgate.cli.runtime.LocalGateway;
import dev.tollgate.cli.runtime.WorkDir;
import dev.tollgate.core.Sha256;
import dev.tollgate.fakeprovider.FakeOpenAiProvider;
import dev.tollgate.fakeprovider.FakeProviderSettings;
import dev.tollgate.xds.translate.FilterSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A whole gateway for one test class: the fake provider, the Tollgate JVM part (in this JVM) and
 * a real Envoy child process, all on free loopback ports, torn down by {@link #close()}.
 * Configs are templates: {@code {{NAME}}} placeholders are filled from {@link #values()}.
 */
final class TestGateway implements AutoCloseable {
  static final String ALICE_KEY = "tg-test-alice-key-0001";
  static final String BOB_KEY = "tg-test-bob-key-0002";
  /** What the provider must see instead of the client's key. */
  static final String PROVIDER_KEY = "sk-provider-secret-for-tests";
  static final ObjectMapper JSON = new ObjectMapper();

  /** The standard test config: one backend, a 90/10 canary, two consumers with different rights. */
  static final String STANDARD_CONFIG = """
      listener: { address: 127.0.0.1, port: {{LISTENER_PORT}} }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}} }
      limits: { max_request_body_bytes: 65536 }
      backends:
        - name: primary
          kind: openai
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
          credential: file:{{CREDENTIAL_FILE}}
        - name: unreachable
          kind: openai-compatible
          endpoints: [ { host: 127.0.0.1, port: {{DEAD_PORT}} } ]
      models:
        - name: gpt-4o-mini
          targets:
            - { backend: primary, model: gpt-4o-mini-2024-07-18, weight: 90 }
            - { backend: primary, model: gpt-4o-mini-canary, weight: 10 }
        - name: gpt-4o
          targets: [ { backend: primary } ]
        - name: other-model
          targets: [ { backend: primary } ]
        - name: gpt-4o-unreachable
          targets: [ { backend: unreachable } ]
        - name: gpt-4o-impatient
          idle_timeout_ms: 700
          targets: [ { backend: primary } ]
      consumers:
        - name: alice
          api_keys: [ "sha256:{{ALICE_HASH}}" ]
          models: [ "gpt-4o*" ]
        - name: bob
          api_keys: [ "sha256:{{BOB_HASH}}" ]
          models: [ "other-*" ]
      """;

  private final WorkDir workDir;
  private final Path dir;
  private final Path configFile;
  private final Map<String, String> values;
  private final FakeOpenAiProvider provider;
  private final LocalGateway local;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private TestGateway(WorkDir workDir, Path configFile, Map<String, String> values, FakeOpenAiProvider provider,
      LocalGateway local) {
    this.workDir = workDir;
    this.dir = workDir.path();
    this.configFile = configFile;
    this.values = values;
    this.provider = provider;
    this.local = local;
  }

  static TestGateway start() throws Exception {
    return start(STANDARD_CONFIG, FakeProviderSettings.defaults(), FilterSet.ALL);
  }

  static TestGateway start(String template, FakeProviderSettings providerSettings, FilterSet filters) throws Exception {
    WorkDir workDir = WorkDir.create("tollgate-test-");
    Path dir = workDir.path();
    FakeOpenAiProvider provider = FakeOpenAiProvider.start(providerSettings);
    Map<String, String> values = new LinkedHashMap<>();
    values.put("LISTENER_PORT", Integer.toString(freePort()));
    values.put("GRPC_PORT", Integer.toString(freePort()));
    values.put("ADMIN_PORT", Integer.toString(freePort()));
    values.put("FAKE_PORT", Integer.toString(provider.port()));
    // Free a moment ago and nobody listens there: a provider that refuses connections.
    values.put("DEAD_PORT", Integer.toString(freePort()));
    Path credential = dir.resolve("provider-key");
    Files.writeString(credential, PROVIDER_KEY + "\n");
    values.put("CREDENTIAL_FILE", credential.toString());
    // The test's own directory, for files a config names (audit log, ...).
    values.put("DIR", dir.toString());
    values.put("ALICE_HASH", sha256(ALICE_KEY));
    values.put("BOB_HASH", sha256(BOB_KEY));
    Path configFile = dir.resolve("tollgate.yaml");
    Files.writeString(configFile, fill(template, values));
    try {
      LocalGateway local = LocalGateway.start(configFile, filters, "test-" + dir.getFileName(), dir,
          dir.resolve("envoy.log"));
      TestGateway gateway = new TestGateway(workDir, configFile, values, provider, local);
      gateway.awaitListener();
      return gateway;
    } catch (Exception e) {
      provider.close();
      workDir.close();
      throw e;
    }
  }

  Map<String, String> values() {
    return values;
  }

  FakeOpenAiProvider provider() {
    return provider;
  }

  int envoyAdminPort() {
    return local.envoy().adminPort();
  }

  GatewayRuntime runtime() {
    return local.runtime();
  }

  Path dir() {
    return dir;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + values.get("LISTENER_PORT");
  }

  HttpResponse<String> post(String path, String apiKey, String body) {
    return post(path, apiKey, body, Map.of());
  }

  HttpResponse<String> post(String path, String apiKey, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (apiKey != null) {
      request.header("authorization", "Bearer " + apiKey);
    }
    headers.forEach(request::header);
    return send(request.build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String chat(String model) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";
  }

  /** Rewrites the watched config file atomically, as a deployment tool would. */
  void writeConfig(String template) throws IOException {
    Path staging = dir.resolve("tollgate.yaml.new");
    Files.writeString(staging, fill(template, values));
    Files.move(staging, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  JsonNode status() throws IOException {
    HttpResponse<String> response = send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + local.runtime().adminPort() + "/status")).build());
    return JSON.readTree(response.body());
  }

  String envoyLog() throws IOException {
    Path log = dir.resolve("envoy.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** The listener arrives over LDS after /ready; wait until it answers HTTP. */
  private void awaitListener() throws IOException {
    waitFor(Duration.ofSeconds(10), () -> {
      try {
        send(HttpRequest.newBuilder(URI.create(baseUrl() + "/")).timeout(Duration.ofSeconds(2)).build());
        return true;
      } catch (RuntimeException e) {
        // A TLS listener hangs up on plain HTTP: it is there. Only a refused connection means not yet.
        return e.getCause() instanceof IOException && !(e.getCause() instanceof java.net.ConnectException)
            && !(e.getCause() instanceof java.net.http.HttpTimeoutException);
      }
    }, "listener on " + baseUrl());
  }

  static void waitFor(Duration timeout, BooleanSupplier condition, String what) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what);
  }

  static String fill(String template, Map<String, String> values) {
    String text = template;
    for (Map.Entry<String, String> entry : values.entrySet()) {
      text = text.replace("{{" + entry.getKey() + "}}", entry.getValue());
    }
    if (text.contains("{{")) {
      throw new IllegalArgumentException("unfilled placeholder in: " + text);
    }
    return text;
  }

  static String sha256(String text) {
    return Sha256.hex(text);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    local.close();
    provider.close();
    workDir.close();
  }
}
