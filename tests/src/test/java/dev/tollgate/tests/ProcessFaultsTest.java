package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.cli.runtime.EnvoyBinary;
import dev.tollgate.cli.runtime.EnvoyProcess;
import dev.tollgate.cli.runtime.WorkDir;
import dev.tollgate.fakeprovider.FakeOpenAiProvider;
import dev.tollgate.fakeprovider.FakeProviderSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deployment split into processes, each killed with SIGKILL while traffic flows: the control
 * plane ({@code tollgate control-plane}), the ext services ({@code tollgate ext-services}, policy
 * from the control plane's stream) and Envoy. Fail closed must hold, and everything must recover
 * without restarting Envoy.
 */
class ProcessFaultsTest {
  private static final String CONFIG = """
      listener: { address: 127.0.0.1, port: {{LISTENER_PORT}} }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}} }
      ext_services: { address: 127.0.0.1, port: {{EXT_PORT}} }
      backends:
        - name: primary
          kind: openai-compatible
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
      models:
        - name: gpt-4o
          targets: [ { backend: primary } ]
      consumers:
        - name: alice
          api_keys: [ "sha256:{{ALICE_HASH}}" ]
          models: [ "*" ]
      """;
  private static final String WITH_BOB = CONFIG + """
        - name: bob
          api_keys: [ "sha256:{{BOB_HASH}}" ]
          models: [ "*" ]
      """;

  private WorkDir dir;
  private FakeOpenAiProvider provider;
  private Map<String, String> values;
  private Path configFile;
  private TollgateProcess controlPlane;
  private TollgateProcess extServices;
  private EnvoyProcess envoy;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    dir = WorkDir.create("tollgate-faults-");
    // Slow streams, so there is time to kill something in the middle of one.
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults()
        .withStreamChunks(30).withInterChunkDelay(Duration.ofMillis(100)));
    values = SplitGateway.ports();
    values.put("FAKE_PORT", Integer.toString(provider.port()));
    values.put("ALICE_HASH", TestGateway.sha256(TestGateway.ALICE_KEY));
    values.put("BOB_HASH", TestGateway.sha256(TestGateway.BOB_KEY));
    configFile = dir.resolve("tollgate.yaml");
    Files.writeString(configFile, TestGateway.fill(CONFIG, values));
    controlPlane = startControlPlane("control-plane-1.log");
    extServices = startExtServices("ext-services-1.log");
    envoy = EnvoyProcess.start(EnvoyBinary.locate(), "edge-bootstrap.yaml", "faults", "127.0.0.1",
        Integer.parseInt(values.get("GRPC_PORT")), dir.path(), dir.resolve("envoy.log"), Duration.ofSeconds(30));
    TestGateway.waitFor(Duration.ofSeconds(10), () -> chat(TestGateway.ALICE_KEY).statusCode() == 200,
        "a first completion through the split deployment");
  }

  @AfterEach
  void stop() throws Exception {
    if (envoy != null) {
      envoy.close();
    }
    if (extServices != null) {
      extServices.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    provider.close();
    dir.close();
  }

  @Test
  void extServicesKilledMidStreamFailClosedAndRecoverWithoutRestartingEnvoy() throws Exception {
    CompletableFuture<StreamOutcome> stream = CompletableFuture.supplyAsync(this::readStream);
    TestGateway.waitFor(Duration.ofSeconds(5), () -> !provider.receivedRequests().isEmpty(), "the stream to start");
    Thread.sleep(500); // a few chunks through
    extServices.kill();

    StreamOutcome outcome = stream.get(20, TimeUnit.SECONDS);
    assertThat(outcome.body()).startsWith("data: ").doesNotContain("[DONE]");
    assertThat(outcome.endedAbnormally()).as("the client sees the stream cut, not a clean end").isTrue();

    // Nothing passes unchecked while the services are gone: refused with an OpenAI-shaped 503.
    provider.clearReceivedRequests();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> refused = chat(TestGateway.ALICE_KEY);
      assertThat(refused.statusCode()).as(refused.headers().map() + refused.body()).isEqualTo(503);
      JsonNode error = TestGateway.JSON.readTree(refused.body()).path("error");
      assertThat(error.path("code").asText()).isEqualTo("gateway_unavailable");
      assertThat(chat("tg-not-a-key").statusCode()).isEqualTo(503);
    }
    assertThat(provider.receivedRequests()).isEmpty();

    extServices = startExtServices("ext-services-2.log");
    TestGateway.waitFor(Duration.ofSeconds(15), () -> chat(TestGateway.ALICE_KEY).statusCode() == 200,
        "completions to work again with the same Envoy");
    assertThat(chat("tg-not-a-key").statusCode()).isEqualTo(401);
    assertThat(envoy.isAlive()).isTrue();
  }

  @Test
  void withTheControlPlaneDownTrafficFlowsOnTheLastConfigAndTheRestartPushesTheCurrentOne() throws Exception {
    controlPlane.kill();

    // Envoy keeps its config, the ext services keep their policy.
    for (int i = 0; i < 5; i++) {
      assertThat(chat(TestGateway.ALICE_KEY).statusCode()).isEqualTo(200);
      assertThat(chat(TestGateway.BOB_KEY).statusCode()).isEqualTo(401);
    }

    // The config changes while the control plane is away; the restart serves it everywhere.
    Files.writeString(configFile, TestGateway.fill(WITH_BOB, values));
    controlPlane = startControlPlane("control-plane-2.log");
    TestGateway.waitFor(Duration.ofSeconds(15), () -> chat(TestGateway.BOB_KEY).statusCode() == 200,
        "bob's new key to reach the ext services");
    TestGateway.waitFor(Duration.ofSeconds(10), () -> {
      try {
        JsonNode status = status();
        String version = status.path("version").asText();
        for (JsonNode node : status.path("nodes")) {
          if (node.path("id").asText().equals("faults")) {
            return node.path("applied_version").asText().equals(version);
          }
        }
        return false;
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }, "Envoy to apply the restarted control plane's version");
    assertThat(chat(TestGateway.ALICE_KEY).statusCode()).isEqualTo(200);
  }

  private TollgateProcess startControlPlane(String log) throws IOException {
    return TollgateProcess.start(dir.resolve(log), "control-plane", "--config", configFile.toString())
        .awaitOutput("control plane up", Duration.ofSeconds(30));
  }

  private TollgateProcess startExtServices(String log) throws IOException {
    return TollgateProcess.start(dir.resolve(log), "ext-services",
            "--control-plane", "127.0.0.1:" + values.get("GRPC_PORT"), "--port", values.get("EXT_PORT"))
        .awaitOutput("ext services up", Duration.ofSeconds(30));
  }

  private HttpResponse<String> chat(String key) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + values.get("LISTENER_PORT")
              + "/v1/chat/completions"))
          .header("authorization", "Bearer " + key).header("content-type", "application/json")
          .timeout(Duration.ofSeconds(10))
          .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat("gpt-4o"))).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonNode status() throws IOException {
    try {
      return TestGateway.JSON.readTree(http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + values.get("ADMIN_PORT") + "/status")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString()).body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private record StreamOutcome(String body, boolean endedAbnormally) {}

  private StreamOutcome readStream() {
    String body = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    StringBuilder received = new StringBuilder();
    try {
      HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + values.get("LISTENER_PORT") + "/v1/chat/completions"))
          .header("authorization", "Bearer " + TestGateway.ALICE_KEY).header("content-type", "application/json")
          .timeout(Duration.ofSeconds(15))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
      }
      return new StreamOutcome(received.toString(), false);
    } catch (IOException e) {
      return new StreamOutcome(received.toString(), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new StreamOutcome(received.toString(), true);
    }
  }
}
