package dev.tollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Calls the control plane's admin API (or its consumer endpoint); one instance per command run. */
final class AdminClient {
  static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** @param token the bearer credential: an admin token, or a consumer's API key for /v1/subscriptions */
  AdminClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  /** The admin API's answer: status and JSON body (an OpenAI-shaped error when not 2xx). */
  record Answer(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }

    String errorMessage() {
      JsonNode error = body.path("error");
      return error.isMissingNode() ? "HTTP " + status : error.path("message").asText("HTTP " + status)
          + " (" + status + " " + error.path("code").asText("") + ")";
    }
  }

  /**
   * A query string ("?a=1&b=2", or "" when every value is null) from names and values in turn;
   * null values are left out, the others URL-encoded.
   */
  static String query(String... namesAndValues) {
    StringBuilder query = new StringBuilder();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] != null) {
        query.append(query.length() == 0 ? '?' : '&').append(namesAndValues[i]).append('=')
            .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
      }
    }
    return query.toString();
  }

  Answer get(String pathAndQuery) throws IOException {
    return send(request(pathAndQuery).GET().build());
  }

  Answer post(String path, JsonNode body) throws IOException {
    return send(request(path).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(15))
        .header("authorization", "Bearer " + token);
  }

  private Answer send(HttpRequest request) throws IOException {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body;
      try {
        body = JSON.readTree(response.body());
      } catch (IOException e) {
        body = JSON.createObjectNode();
      }
      return new Answer(response.statusCode(), body == null ? JSON.createObjectNode() : body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException e) {
      throw new IOException("cannot reach the admin API at " + base + ": " + e, e);
    }
  }
}
