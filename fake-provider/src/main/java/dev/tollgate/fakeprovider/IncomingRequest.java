package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request read off the wire once, so recording, routing and the endpoints all see the same bytes.
 *
 * @param json the body parsed as JSON, or null when it is empty or not valid JSON
 */
record IncomingRequest(
    String method, String path, Map<String, List<String>> headers, String body, JsonNode json) {

  static IncomingRequest read(HttpExchange exchange, ObjectMapper mapper) throws IOException {
    String body;
    try (InputStream in = exchange.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // The JDK's Headers capitalises names ("Content-type"); lower-case is what HTTP/2 and tests use.
    Map<String, List<String>> headers = new LinkedHashMap<>();
    exchange.getRequestHeaders().forEach((name, values) ->
        headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
    return new IncomingRequest(
        exchange.getRequestMethod(),
        exchange.getRequestURI().getPath(),
        headers,
        body,
        parseOrNull(body, mapper));
  }

  private static JsonNode parseOrNull(String body, ObjectMapper mapper) {
    if (body.isBlank()) {
      return null;
    }
    try {
      return mapper.readTree(body);
    } catch (JacksonException e) {
      return null;
    }
  }

  /** First value of a header, by lower-case name, or null. */
  String header(String lowerCaseName) {
    List<String> values = headers.get(lowerCaseName);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The body's {@code "model"} when it is a non-empty string; anything else counts as missing. */
  String model() {
    if (json == null || !json.path("model").isTextual() || json.path("model").asText().isEmpty()) {
      return null;
    }
    return json.path("model").asText();
  }

  ReceivedRequest toReceived() {
    return new ReceivedRequest(method, path, headers, body, model(), header("authorization"));
  }
}
