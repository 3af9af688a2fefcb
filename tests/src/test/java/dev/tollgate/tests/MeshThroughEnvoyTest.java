package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.fakeprovider.FakeProviderSettings;
import dev.tollgate.xds.translate.FilterSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mesh identity through a real Envoy with mTLS on the listener: the SPIFFE ID in a workload's
 * client certificate identifies it, and a consumer or team can demand one. Certificates are made
 * with openssl for each run.
 */
class MeshThroughEnvoyTest {
  static final String BILLING = "spiffe://tollgate.test/ns/default/sa/billing";
  static final String SECURE = "spiffe://tollgate.test/ns/default/sa/secure";
  static final String STRANGER = "spiffe://tollgate.test/ns/default/sa/stranger";
  static final String SECURE_KEY = "tg-test-secure-key-0006";
  static final String TEAMED_KEY = "tg-test-teamed-key-0007";

  static final String CONFIG = """
      listener:
        address: 127.0.0.1
        port: {{LISTENER_PORT}}
        tls: { cert_file: %1$s/server.pem, key_file: %1$s/server.key, client_ca_file: %1$s/ca.pem }
      control_plane: { address: 127.0.0.1, grpc_port: {{GRPC_PORT}}, admin_port: {{ADMIN_PORT}} }
      ext_services: { timeout_ms: 5000 }     # a loaded shared CI machine must not turn checks into 503s
      backends:
        - name: primary
          kind: openai
          endpoints: [ { host: 127.0.0.1, port: {{FAKE_PORT}} } ]
          credential: file:{{CREDENTIAL_FILE}}
      models:
        - name: gpt-4o
          targets: [ { backend: primary } ]
      teams:
        - name: mesh-only
          require_spiffe_id: true
      consumers:
        - name: alice
          api_keys: [ "sha256:{{ALICE_HASH}}" ]
          models: [ "*" ]
        - name: billing                       # a workload: its certificate is its credential
          models: [ "gpt-4o" ]
          spiffe_ids: [ "%2$s" ]
        - name: secure                        # a key, usable only from the secure workload
          api_keys: [ "sha256:%3$s" ]
          models: [ "*" ]
          spiffe_ids: [ "%4$s" ]
          require_spiffe_id: true
        - name: teamed                        # a key, usable only over mesh mTLS (team rule)
          api_keys: [ "sha256:%5$s" ]
          models: [ "*" ]
          team: mesh-only
      """;

  static Path pki;
  static TestCertificates ca;
  static TestCertificates otherCa;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    pki = Files.createTempDirectory("tollgate-mesh-pki-");
    ca = TestCertificates.authority(pki.resolve("mesh"), "mesh-ca");
    ca.issue("server", "IP:127.0.0.1,DNS:localhost");
    ca.issue("billing", "URI:" + BILLING);
    ca.issue("secure", "URI:" + SECURE);
    ca.issue("stranger", "URI:" + STRANGER);
    otherCa = TestCertificates.authority(pki.resolve("other"), "other-ca");
    otherCa.issue("forged-billing", "URI:" + BILLING);
    gateway = TestGateway.start(CONFIG.formatted(pki.resolve("mesh"), BILLING, TestGateway.sha256(SECURE_KEY), SECURE,
        TestGateway.sha256(TEAMED_KEY)), FakeProviderSettings.defaults(), FilterSet.ALL);
  }

  @AfterAll
  static void stop() throws IOException {
    if (gateway != null) {
      gateway.close();
    }
    try (var files = Files.walk(pki)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @BeforeEach
  void clearJournal() {
    gateway.provider().clearReceivedRequests();
  }

  private static HttpResponse<String> call(TestCertificates issuer, String clientCert, String apiKey) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(issuer.context(pki.resolve("mesh/ca.pem"), clientCert))
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + gateway.values().get("LISTENER_PORT") + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat("gpt-4o")));
    if (apiKey != null) {
      request.header("authorization", "Bearer " + apiKey);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aWorkloadIsKnownByItsSpiffeIdWithoutAKey() throws Exception {
    HttpResponse<String> response = call(ca, "billing", null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(gateway.provider().receivedRequests()).hasSize(1);
  }

  @Test
  void anUnmappedSpiffeIdOrNoCertificateWithoutAKeyGets401() throws Exception {
    assertRefused(call(ca, "stranger", null), 401, "invalid_api_key");
    assertRefused(call(ca, null, null), 401, "invalid_api_key");
  }

  @Test
  void aCertificateFromAnotherAuthorityFailsTheHandshake() {
    assertThatThrownBy(() -> call(otherCa, "forged-billing", null)).isInstanceOf(IOException.class);
    assertThat(gateway.provider().receivedRequests()).isEmpty();
  }

  @Test
  void plainTlsClientsWithAKeyStillWork() throws Exception {
    assertThat(call(ca, null, TestGateway.ALICE_KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void aConsumerThatRequiresItsSpiffeIdRefusesCallsWithoutIt() throws Exception {
    assertRefused(call(ca, null, SECURE_KEY), 403, "spiffe_id_required");
    assertRefused(call(ca, "billing", SECURE_KEY), 403, "spiffe_id_not_allowed");
    assertThat(call(ca, "secure", SECURE_KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void aTeamThatRequiresASpiffeIdRefusesCallsWithoutOne() throws Exception {
    assertRefused(call(ca, null, TEAMED_KEY), 403, "spiffe_id_required");
    assertThat(call(ca, "billing", TEAMED_KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void aSpoofedClientCertHeaderOverPlainTlsIsNoIdentity() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(ca.context(pki.resolve("mesh/ca.pem"), null)).build();
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + gateway.values().get("LISTENER_PORT") + "/v1/chat/completions"))
        .header("content-type", "application/json")
        .header("x-forwarded-client-cert", "By=spiffe://tollgate.test/gw;URI=" + BILLING)
        .header("x-tollgate-spiffe-id", BILLING)
        .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat("gpt-4o"))).build(), HttpResponse.BodyHandlers.ofString());
    assertRefused(response, 401, "invalid_api_key");
  }

  private static void assertRefused(HttpResponse<String> response, int status, String code) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = TestGateway.JSON.readTree(response.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo(code);
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(gateway.provider().receivedRequests()).isEmpty();
  }
}
