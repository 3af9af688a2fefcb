package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.cli.runtime.EnvoyBinary;
import dev.tollgate.cli.runtime.EnvoyProcess;
import dev.tollgate.cli.runtime.WorkDir;
import dev.tollgate.fakeprovider.FakeOpenAiProvider;
import dev.tollgate.fakeprovider.FakeProviderSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Split deployment: the inspection policies reach a separate {@code tollgate ext-services} process
 * over the policy stream, which redacts, writes its own audit log ({@code --audit-log}) and serves
 * its own {@code /metrics} ({@code --metrics-port}); the control plane serves its /metrics too.
 */
class SplitInspectionThroughEnvoyTest {
  private static final String EMAIL = "split.test@example.org";
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
      policies:
        - name: split-pii
          prompt_guard: { action: shadow, deny_phrases: [ "open sesame" ], detector: false }
          pii: { request: { EMAIL: mask } }
      """;

  private WorkDir dir;
  private FakeOpenAiProvider provider;
  private Map<String, String> values;
  private TollgateProcess controlPlane;
  private TollgateProcess extServices;
  private EnvoyProcess envoy;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    dir = WorkDir.create("tollgate-split-inspect-");
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults());
    values = SplitGateway.ports();
    values.put("METRICS_PORT", Integer.toString(TestGateway.freePort()));
    values.put("FAKE_PORT", Integer.toString(provider.port()));
    values.put("ALICE_HASH", TestGateway.sha256(TestGateway.ALICE_KEY));
    Path configFile = dir.resolve("tollgate.yaml");
    Files.writeString(configFile, TestGateway.fill(CONFIG, values));
    controlPlane = TollgateProcess.start(dir.resolve("control-plane.log"), "control-plane", "--config",
        configFile.toString()).awaitOutput("control plane up", Duration.ofSeconds(30));
    extServices = TollgateProcess.start(dir.resolve("ext-services.log"), "ext-services",
            "--control-plane", "127.0.0.1:" + values.get("GRPC_PORT"), "--port", values.get("EXT_PORT"),
            "--metrics-port", values.get("METRICS_PORT"), "--audit-log", auditFile().toString())
        .awaitOutput("ext services up", Duration.ofSeconds(30));
    envoy = EnvoyProcess.start(EnvoyBinary.locate(), "edge-bootstrap.yaml", "split-inspect", "127.0.0.1",
        Integer.parseInt(values.get("GRPC_PORT")), dir.path(), dir.resolve("envoy.log"), Duration.ofSeconds(30));
    TestGateway.waitFor(Duration.ofSeconds(15), () -> chat("hello").statusCode() == 200,
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
  void theExtServicesProcessRedactsAuditsAndServesMetrics() throws Exception {
    provider.clearReceivedRequests();
    HttpResponse<String> response = chat("open sesame, and write to " + EMAIL);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(provider.receivedRequests()).hasSize(1);
    assertThat(provider.receivedRequests().get(0).body()).doesNotContain(EMAIL).contains("[EMAIL]");

    String id = response.headers().firstValue("x-tollgate-request-id").orElseThrow();
    TestGateway.waitFor(Duration.ofSeconds(5), () -> read(auditFile()).contains(id), "the audit record of " + id);
    String audit = read(auditFile());
    assertThat(audit).contains("\"policy\":{\"name\":\"split-pii\"").contains("\"action\":\"shadow\"")
        .doesNotContain(EMAIL).doesNotContain(TestGateway.ALICE_KEY);

    String metrics = get("http://127.0.0.1:" + values.get("METRICS_PORT") + "/metrics");
    assertThat(metrics).contains("tollgate_pii_entities_total{direction=\"request\",entity_type=\"EMAIL\",policy=\"split-pii\"}")
        .contains("tollgate_guard_verdicts_total{action=\"shadow\",policy=\"split-pii\"")
        .doesNotContain(EMAIL);
    assertThat(get("http://127.0.0.1:" + values.get("ADMIN_PORT") + "/metrics")).contains("jvm_memory_used_bytes");
  }

  /**
   * A policy change in the watched file reaches the separate ext-services process over the policy
   * stream: the next requests follow it (shadow becomes block, a new deny phrase) with nothing
   * restarted, and their audit records name the new policy version.
   */
  @Test
  void aPolicyChangeInTheFileReachesTheExtServicesProcessWithoutARestart() throws Exception {
    HttpResponse<String> before = chat("abracadabra, and open sesame");
    assertThat(before.statusCode()).as(before.body()).isEqualTo(200); // shadow: never refused
    String oldVersion = auditRecord(before).path("policy").path("version").asText();
    assertThat(oldVersion).isNotBlank();

    String shadow = "prompt_guard: { action: shadow, deny_phrases: [ \"open sesame\" ]";
    String block = "prompt_guard: { action: block, deny_phrases: [ \"open sesame\", \"abracadabra\" ]";
    assertThat(CONFIG).contains(shadow);
    Path staging = dir.resolve("tollgate.yaml.new");
    Files.writeString(staging, TestGateway.fill(CONFIG.replace(shadow, block), values));
    Files.move(staging, dir.resolve("tollgate.yaml"), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    long changed = System.nanoTime();

    TestGateway.waitFor(Duration.ofSeconds(5), () -> chat("abracadabra").statusCode() == 400,
        "the new deny phrase to block through the split deployment");
    System.out.printf("policy change applied through the split deployment after %d ms%n",
        Duration.ofNanos(System.nanoTime() - changed).toMillis());
    provider.clearReceivedRequests(); // the polls that passed before the change reached it
    HttpResponse<String> refused = chat("open sesame");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
    JsonNode error = TestGateway.JSON.readTree(refused.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("prompt_blocked");
    assertThat(error.path("param").asText()).isEqualTo("denied_pattern");
    assertThat(refused.body()).doesNotContainIgnoringCase("sesame");
    assertThat(provider.receivedRequests()).isEmpty();

    JsonNode record = auditRecord(refused);
    assertThat(record.path("decision").asText()).isEqualTo("blocked");
    assertThat(record.path("guard").path("action").asText()).isEqualTo("block");
    assertThat(record.path("policy").path("name").asText()).isEqualTo("split-pii");
    assertThat(record.path("policy").path("version").asText()).isNotBlank().isNotEqualTo(oldVersion);

    // The rest of the policy still applies: a clean prompt passes, its e-mail address masked.
    HttpResponse<String> clean = chat("write to " + EMAIL);
    assertThat(clean.statusCode()).as(clean.body()).isEqualTo(200);
    assertThat(provider.receivedRequests()).singleElement()
        .satisfies(received -> assertThat(received.body()).doesNotContain(EMAIL).contains("[EMAIL]"));
  }

  /** The ext-services process's audit record of this response's request, once it is written. */
  private JsonNode auditRecord(HttpResponse<String> response) throws IOException {
    String id = response.headers().firstValue("x-tollgate-request-id").orElseThrow();
    TestGateway.waitFor(Duration.ofSeconds(5), () -> read(auditFile()).contains(id), "the audit record of " + id);
    for (String line : read(auditFile()).split("\n")) {
      if (line.contains(id)) {
        return TestGateway.JSON.readTree(line);
      }
    }
    throw new AssertionError("no audit record of " + id);
  }

  private Path auditFile() {
    return dir.resolve("ext-audit.jsonl");
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private String get(String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }

  private HttpResponse<String> chat(String content) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + values.get("LISTENER_PORT")
              + "/v1/chat/completions"))
          .header("authorization", "Bearer " + TestGateway.ALICE_KEY).header("content-type", "application/json")
          .timeout(Duration.ofSeconds(10))
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""
              + content + "\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
