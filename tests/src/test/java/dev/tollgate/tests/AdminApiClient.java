package dev.tollgate.tests;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls to the control plane's admin API, as curl would make them. */
final class AdminApiClient {
  record Answer(int status, JsonNode body) {}

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final int port;
  private final String token;

  AdminApiClient(int port, String token) {
    this.port = port;
    this.token = token;
  }

  Answer get(String path) {
    return get(path, token);
  }

  Answer get(String path, String withToken) {
    return send(builder(path, withToken).GET().build());
  }

  Answer post(String path, String body) {
    return post(path, body, token);
  }

  Answer post(String path, String body, String withToken) {
    return send(builder(path, withToken).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  Answer send(String method, String path, String withToken) {
    return send(builder(path, withToken).method(method, HttpRequest.BodyPublishers.noBody()).build());
  }

  private HttpRequest.Builder builder(String path, String withToken) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        // A name the caller claims for itself: the decision log must not believe it (it names the
        // admin whose token is presented), which the subscription tests check.
        .timeout(Duration.ofSeconds(15)).header("x-tollgate-admin-actor", "test-operator");
    if (withToken != null) {
      builder.header("authorization", "Bearer " + withToken);
    }
    return builder;
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), TestGateway.JSON.readTree(response.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
