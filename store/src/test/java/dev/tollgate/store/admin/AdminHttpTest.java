package dev.tollgate.store.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.core.config.SecretValue;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin-token rule (which admin calls) and query parsing every admin endpoint shares, over a real loopback HTTP exchange. */
class AdminHttpTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** A loopback endpoint that answers the refusal, or 200 and the admin's name when the call may proceed. */
  private URI serve(AdminTokens admins) throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/admin/", exchange -> {
      try (HttpExchange ex = exchange) {
        try {
          AdminHttp.send(ex, 200, "{\"admin\":\"" + AdminHttp.admin(admins, ex) + "\"}");
        } catch (JsonEndpoint.Refused refused) {
          AdminHttp.send(ex, refused.error.status(), refused.error.toJson());
        }
      }
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/admin/x");
  }

  private HttpResponse<String> get(URI uri, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
    if (authorization != null) {
      request.header("authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void refusesEveryCallWhileNoTokenIsConfigured() throws Exception {
    HttpResponse<String> response = get(serve(AdminTokens.none()), "Bearer anything");
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("admin_api_disabled");
  }

  @Test
  void needsTheRightBearerToken() throws Exception {
    URI uri = serve(new AdminTokens(List.of(new AdminToken("admin", new SecretValue("s3cret-admin")))));
    HttpResponse<String> none = get(uri, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).contains("admin_token_required");
    HttpResponse<String> wrong = get(uri, "Bearer nope");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("invalid_admin_token").doesNotContain("nope");
    HttpResponse<String> right = get(uri, "bearer s3cret-admin");
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(right.headers().firstValue("content-type")).contains("application/json");
    assertThat(right.headers().firstValue("cache-control")).contains("no-store");
    assertThat(get(uri, "Bearer ").body()).contains("admin_token_required");
  }

  @Test
  void eachTokenIsItsAdminAndAClaimedNameIsNotTrusted() throws Exception {
    URI uri = serve(new AdminTokens(List.of(new AdminToken("admin", new SecretValue("shared-token")),
        new AdminToken("ops-alice", new SecretValue("alice-token")),
        new AdminToken("ops-bob", new SecretValue("bob-token")))));
    assertThat(get(uri, "Bearer alice-token").body()).isEqualTo("{\"admin\":\"ops-alice\"}");
    assertThat(get(uri, "Bearer bob-token").body()).isEqualTo("{\"admin\":\"ops-bob\"}");
    assertThat(get(uri, "Bearer shared-token").body()).isEqualTo("{\"admin\":\"admin\"}");
    HttpResponse<String> claimed = client.send(HttpRequest.newBuilder(uri).header("authorization", "Bearer bob-token")
        .header("x-tollgate-admin-actor", "ops-alice").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(claimed.body()).isEqualTo("{\"admin\":\"ops-bob\"}");
    HttpResponse<String> wrong = get(uri, "Bearer alice-token-x");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("invalid_admin_token").doesNotContain("alice-token");
    assertThat(new AdminTokens(List.of(new AdminToken("ops-alice", new SecretValue("alice-token")))).toString())
        .isEqualTo("AdminTokens[ops-alice]");
  }

  @Test
  void decodesTheQueryOrSaysItIsNotValid() {
    assertThat(AdminHttp.query(null)).contains(Map.of());
    assertThat(AdminHttp.query("a=1&b=x%20y&flag")).contains(Map.of("a", "1", "b", "x y", "flag", ""));
    assertThat(AdminHttp.query("a=%zz")).isEmpty();
  }
}
