package dev.tollgate.store.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.ApiKeyFormat;
import dev.tollgate.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;

/**
 * How the JSON endpoints over the store ({@link AdminApi}, {@link ConsumerSubscriptionsApi}) read
 * a request and answer: one copy of body and query reading, the refusals and the catch-all that
 * turns a store failure into a clean 503, so the endpoints cannot drift apart on how an error looks.
 */
final class JsonEndpoint {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_BYTES = 16 * 1024;

  private JsonEndpoint() {}

  record Reply(int status, JsonNode body) {}

  /** A refusal of the request as sent: 400 with the field at fault. */
  static final class BadRequest extends Exception {
    final String param;

    BadRequest(String message, String param) {
      super(message);
      this.param = param;
    }
  }

  /** Any other answer that is not a success. */
  static final class Refused extends Exception {
    final OpenAiError error;

    Refused(OpenAiError error) {
      super(error.message());
      this.error = error;
    }
  }

  interface Work {
    Reply run() throws BadRequest, Refused, SQLException, IOException;
  }

  /** Runs {@code work} and sends its reply, or its refusal in OpenAI's shape. */
  static void serve(HttpExchange exchange, Logger log, Work work) throws IOException {
    try (exchange) {
      int status;
      String body;
      try {
        Reply reply = work.run();
        status = reply.status();
        body = JSON.writeValueAsString(reply.body());
      } catch (BadRequest e) {
        OpenAiError error = OpenAiError.invalidRequest(e.getMessage(), e.param);
        status = error.status();
        body = error.toJson();
      } catch (Refused e) {
        status = e.error.status();
        body = e.error.toJson();
      } catch (SQLException | RuntimeException e) {
        // The cause goes to the log (SQL states and messages hold no secrets); the caller gets a clean 503.
        log.error("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e.toString());
        OpenAiError error = AdminHttp.storeUnavailable();
        status = error.status();
        body = error.toJson();
      }
      AdminHttp.send(exchange, status, body);
    }
  }

  /** The body as a JSON object with only {@code allowed} fields. */
  static ObjectNode body(HttpExchange exchange, Set<String> allowed) throws BadRequest, IOException {
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new BadRequest("The request body is larger than " + MAX_BODY_BYTES + " bytes.", null);
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new BadRequest("The request body is not valid JSON.", null);
    }
    if (node == null || !node.isObject()) {
      throw new BadRequest("The request body must be a JSON object.", null);
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new BadRequest("Unknown field '" + clip(name) + "'; allowed: "
            + String.join(", ", allowed.stream().sorted().toList()) + ".", clip(name));
      }
    }
    return (ObjectNode) node;
  }

  static String requiredText(ObjectNode body, String field) throws BadRequest {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw new BadRequest("'" + field + "' is required.", field);
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new BadRequest("'" + field + "' must be a non-empty string.", field);
    }
    return value.asText();
  }

  static Map<String, String> query(HttpExchange exchange, Set<String> allowed) throws BadRequest {
    Optional<Map<String, String>> params = AdminHttp.query(exchange.getRequestURI().getRawQuery());
    if (params.isEmpty()) {
      throw new BadRequest(AdminHttp.INVALID_QUERY, null);
    }
    for (String name : params.get().keySet()) {
      if (!allowed.contains(name)) {
        throw new BadRequest("Unknown query parameter '" + clip(name) + "'.", clip(name));
      }
    }
    return params.get();
  }

  static Refused refused(StoreException e, String what) {
    return switch (e.reason()) {
      case NOT_FOUND -> new Refused(new OpenAiError(404, e.getMessage(), "invalid_request_error", null,
          what + "_not_found"));
      case CONFLICT -> new Refused(new OpenAiError(409, e.getMessage(), "invalid_request_error", null,
          what + "_conflict"));
    };
  }

  static Refused methodNotAllowed(String allowed) {
    return new Refused(new OpenAiError(405, "Use " + allowed + ".", "invalid_request_error", null,
        "method_not_allowed"));
  }

  static ObjectNode list(ArrayNode data) {
    ObjectNode json = JSON.createObjectNode();
    json.put("object", "list");
    json.set("data", data);
    return json;
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  /** Names echoed in errors: a key pasted into a name field must not come back. */
  static String clip(String text) {
    return text.length() > 128 || text.startsWith(ApiKeyFormat.START) ? "(not shown)" : text;
  }
}
