package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

/** Config changes reach Envoy while it serves; a broken change is refused and the old config stays. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HotReloadThroughEnvoyTest extends ThroughEnvoyTest {
  private static final String WITH_NEW_MODEL = TestGateway.STANDARD_CONFIG.replace(
      "  - name: other-model\n",
      "  - name: gpt-4o-brand-new\n    targets: [ { backend: primary, model: brand-new-upstream } ]\n  - name: other-model\n");

  @Test
  @Order(1)
  void aNewModelRoutesWithinTwoSeconds() throws Exception {
    assertThat(gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o-brand-new"))
        .statusCode()).isEqualTo(404);
    String before = gateway.runtime().currentVersion();

    Instant written = Instant.now();
    gateway.writeConfig(WITH_NEW_MODEL);
    TestGateway.waitFor(Duration.ofSeconds(2), () -> gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        TestGateway.chat("gpt-4o-brand-new")).statusCode() == 200, "the new model to route");
    Duration took = Duration.between(written, Instant.now());

    assertThat(took).isLessThan(Duration.ofSeconds(2));
    var response = gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o-brand-new"));
    assertThat(response.headers().firstValue("x-fake-provider-received-model")).contains("brand-new-upstream");
    assertThat(TestGateway.JSON.readTree(response.body()).path("model").asText()).isEqualTo("gpt-4o-brand-new");
    String after = gateway.runtime().currentVersion();
    assertThat(after).isNotEqualTo(before);
    // Envoy acknowledged the new version on every resource type.
    TestGateway.waitFor(Duration.ofSeconds(2), () -> appliedVersion().equals(after), "Envoy to ACK " + after);
  }

  @Test
  @Order(2)
  void aBrokenFileIsRefusedAndTheLastGoodConfigKeepsServing() throws Exception {
    String good = gateway.runtime().currentVersion();
    // An unknown key two levels down, and a target naming a backend that does not exist.
    String broken = WITH_NEW_MODEL
        .replace("weight: 90 }", "weight: 90, wieght: 3 }")
        .replace("{ backend: primary, model: brand-new-upstream }", "{ backend: missing, model: brand-new-upstream }");
    gateway.writeConfig(broken);

    TestGateway.waitFor(Duration.ofSeconds(3), () -> {
      try {
        return !gateway.status().path("last_reload_error").isNull();
      } catch (Exception e) {
        return false;
      }
    }, "the reload error to be reported");
    JsonNode error = gateway.status().path("last_reload_error");
    String problems = error.path("problems").toString();
    assertThat(problems).contains("tollgate.yaml:").contains("models[0].targets[0]").contains("wieght");
    assertThat(problems).contains("models[2].targets[0].backend").contains("no backend named 'missing'");
    assertThat(gateway.status().path("version").asText()).isEqualTo(good);
    assertThat(gateway.runtime().currentVersion()).isEqualTo(good);

    // Still serving the last good config, including the model the broken file would have broken.
    assertThat(gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o-brand-new"))
        .statusCode()).isEqualTo(200);
    assertThat(gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o"))
        .statusCode()).isEqualTo(200);
  }

  @Test
  @Order(3)
  void fixingTheFileClearsTheErrorAndRemovingAModelStopsItsRoute() throws Exception {
    gateway.writeConfig(TestGateway.STANDARD_CONFIG);
    TestGateway.waitFor(Duration.ofSeconds(2), () -> gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY,
        TestGateway.chat("gpt-4o-brand-new")).statusCode() == 404, "the removed model to stop routing");
    assertThat(gateway.status().path("last_reload_error").isNull()).isTrue();
  }

  @Test
  @Order(4)
  void aRotatedProviderKeyFileReachesTheProviderWithoutTouchingTheConfig() throws Exception {
    String before = gateway.runtime().currentVersion();
    java.nio.file.Path keyFile = java.nio.file.Path.of(gateway.values().get("CREDENTIAL_FILE"));
    java.nio.file.Files.writeString(keyFile, "sk-rotated-provider-key\n");

    TestGateway.waitFor(Duration.ofSeconds(2), () -> {
      gateway.provider().clearReceivedRequests();
      gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o"));
      var received = gateway.provider().receivedRequests();
      return !received.isEmpty() && "Bearer sk-rotated-provider-key".equals(received.get(0).authorization());
    }, "the rotated key to be injected");
    assertThat(gateway.runtime().currentVersion()).isNotEqualTo(before);
  }

  private static String appliedVersion() {
    try {
      for (JsonNode node : gateway.status().path("nodes")) {
        if (node.path("id").asText().startsWith("test-")) {
          return node.path("applied_version").asText();
        }
      }
      return "";
    } catch (Exception e) {
      return "";
    }
  }
}
