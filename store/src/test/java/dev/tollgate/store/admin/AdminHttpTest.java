package dev.tollgate.store.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.core.config.SecretValue;
import dev.tollgate.core.openai.OpenAiError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin-token rule and query parsing every admin endpoint shares, over a real loopback HTTP exchange. */
class AdminHttpTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** A loopback endpoint that answers the refusal, or 200 when the call may proceed. */
  private URI serve(Optional<AdminToken> token) throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/admin/", exchange -> {
      try (HttpExchange ex = exchange) {
        Optional<OpenAiError> refusal = AdminHttp.refusal(token, ex);
        if (refusal.isPresent()) {
          AdminHttp.send(ex, refusal.get().status(), refusal.get().toJson());
        } else {
          AdminHttp.send(ex, 200, "{\"ok\":true}");
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
    HttpResponse<String> response = get(serve(Optional.empty()), "Bearer anything");
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("admin_api_disabled");
  }

  @Test
  void needsTheRightBearerToken() throws Exception {
    URI uri = serve(Optional.of(new AdminToken(new SecretValue("s3cret-admin"))));
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
  }

  @Test
  void decodesTheQueryOrSaysItIsNotValid() {
    assertThat(AdminHttp.query(null)).contains(Map.of());
    assertThat(AdminHttp.query("a=1&b=x%20y&flag")).contains(Map.of("a", "1", "b", "x y", "flag", ""));
    assertThat(AdminHttp.query("a=%zz")).isEmpty();
  }
}
