package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** GET /status reports each Envoy node's applied version and the NACKs Envoy sends back. */
class StatusAndNackThroughEnvoyTest extends ThroughEnvoyTest {
  @Test
  void statusShowsTheCurrentVersionAppliedByTheEnvoyNode() throws Exception {
    String version = gateway.runtime().currentVersion();
    TestGateway.waitFor(Duration.ofSeconds(3), () -> node().path("applied_version").asText().equals(version),
        "the node to report version " + version);
    JsonNode status = gateway.status();
    assertThat(status.path("version").asText()).isEqualTo(version).startsWith("v1-");
    JsonNode node = node();
    assertThat(TestGateway.JSON.convertValue(node.path("applied_by_type"), java.util.Map.class))
        .containsEntry("envoy.config.listener.v3.Listener", version)
        .containsEntry("envoy.config.route.v3.RouteConfiguration", version)
        .containsEntry("envoy.config.cluster.v3.Cluster", version)
        .containsEntry("envoy.extensions.transport_sockets.tls.v3.Secret", version);
    assertThat(node.path("nacks").size()).isZero();
    // Versions and problems only: no credential, no key hash, no config content.
    assertThat(status.toString()).doesNotContain(TestGateway.PROVIDER_KEY).doesNotContain(gateway.values().get("ALICE_HASH"));
  }

  @Test
  void aConfigEnvoyRejectsIsRecordedAsANackWithItsDetail() throws Exception {
    // Valid for Tollgate, impossible for Envoy: the new listener port is taken by someone else.
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String good = gateway.runtime().currentVersion();
      gateway.writeConfig(TestGateway.STANDARD_CONFIG.replace("port: {{LISTENER_PORT}}", "port: " + taken.getLocalPort()));
      TestGateway.waitFor(Duration.ofSeconds(5), () -> node().path("nacks").size() > 0, "a NACK to be recorded");
      JsonNode nack = node().path("nacks").get(0);
      assertThat(nack.path("type").asText()).isEqualTo("envoy.config.listener.v3.Listener");
      assertThat(nack.path("detail").asText()).isNotBlank();
      assertThat(nack.path("kept_version").asText()).isEqualTo(good);
      assertThat(gateway.status().path("nacks_total").asLong()).isPositive();
      // Envoy keeps serving on the old listener.
      assertThat(gateway.post("/v1/chat/completions", TestGateway.ALICE_KEY, TestGateway.chat("gpt-4o"))
          .statusCode()).isEqualTo(200);
    }
    // Back to a config Envoy accepts: the NACK is cleared once the node moves on.
    gateway.writeConfig(TestGateway.STANDARD_CONFIG.replace("max_request_body_bytes: 65536", "max_request_body_bytes: 65537"));
    TestGateway.waitFor(Duration.ofSeconds(5), () -> node().path("nacks").size() == 0
        && node().path("applied_version").asText().equals(gateway.runtime().currentVersion()), "the NACK to clear");
  }

  private static JsonNode node() {
    try {
      for (JsonNode node : gateway.status().path("nodes")) {
        if (node.path("id").asText().startsWith("test-")) {
          return node;
        }
      }
    } catch (Exception e) {
      // fall through: not there yet
    }
    return TestGateway.JSON.createObjectNode();
  }
}
