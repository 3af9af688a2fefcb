package dev.tollgate.tests;

import dev.tollgate.cli.runtime.WorkDir;
import dev.tollgate.fakeprovider.FakeOpenAiProvider;
import dev.tollgate.fakeprovider.FakeProviderSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * A split deployment whose control plane has an admin token and a store, with a fake provider and
 * the admin CLI and API clients: what the subscription and usage-ledger tests share. Each kind of
 * store runs a subclass's tests once ({@link #storeSection()}).
 */
abstract class AdminSplitTestBase {
  static final String ADMIN_TOKEN = "test-admin-token-not-a-secret";
  /** The token of the named admin ops-alice, for configs with {@code admins: [{token: "file:{{ALICE_TOKEN_FILE}}"}]}. */
  static final String ALICE_TOKEN = "test-ops-alice-token-not-a-secret";

  WorkDir dir;
  FakeOpenAiProvider provider;
  SplitGateway gateway;
  Map<String, String> values;
  AdminCli cli;
  AdminApiClient admin;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** The {@code store:} section (may be empty for the default) for this run. */
  abstract String storeSection() throws Exception;

  /**
   * Starts the provider and the deployment from {@code config}, whose {@code {{TOKEN_FILE}}} and
   * {@code {{STORE}}} are filled here and the rest from the ports and {@code moreValues}.
   */
  void startSplit(String dirPrefix, String node, String config, Map<String, String> moreValues) throws Exception {
    dir = WorkDir.create(dirPrefix);
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults());
    Path tokenFile = dir.resolve("admin-token");
    Files.writeString(tokenFile, ADMIN_TOKEN + "\n");
    Path aliceTokenFile = dir.resolve("ops-alice-token");
    Files.writeString(aliceTokenFile, ALICE_TOKEN + "\n");
    values = SplitGateway.ports();
    values.put("FAKE_PORT", Integer.toString(provider.port()));
    values.put("TOKEN_FILE", tokenFile.toString());
    values.put("ALICE_TOKEN_FILE", aliceTokenFile.toString());
    values.putAll(moreValues);
    values.put("STORE", storeSection());
    gateway = SplitGateway.start(dir.path(), node, config, values);
    cli = new AdminCli(gateway.adminPort(), tokenFile);
    admin = new AdminApiClient(gateway.adminPort(), ADMIN_TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    provider.close();
    dir.close();
  }

  /** POSTs a chat completion body; null when no answer came at all. */
  HttpResponse<String> post(String baseUrl, String key, String body) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(10)).header("authorization", "Bearer " + key)
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      return null;
    }
  }

  static int status(HttpResponse<String> response) {
    return response == null ? -1 : response.statusCode();
  }
}
