package dev.tollgate.store.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tollgate.core.config.ConsumerConfig;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ModelConfig;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.ApiKeyFormat;
import dev.tollgate.core.policy.RuntimeState;
import dev.tollgate.store.RuntimeStore;
import dev.tollgate.store.StoreException;
import dev.tollgate.store.StoreRecords.AuditRecord;
import dev.tollgate.store.StoreRecords.CreatedKey;
import dev.tollgate.store.StoreRecords.Decision;
import dev.tollgate.store.StoreRecords.KeyRecord;
import dev.tollgate.store.StoreRecords.SubscriptionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API for runtime state, under {@code /admin/} on the control plane's admin port:
 * API keys (create, list, revoke) and subscriptions (request, approve, reject, revoke, list),
 * plus the decision log. Every call needs {@code Authorization: Bearer <admin token>}. Errors are
 * OpenAI-shaped. A created key is in the response once and nowhere else: not in the store, the
 * log or any later response.
 */
public final class AdminApi implements HttpHandler {
  public static final String PATH = "/admin/";
  /** Who made a change, as the operator names themself; recorded in the decision log. */
  public static final String ACTOR_HEADER = "x-tollgate-admin-actor";
  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_BYTES = 16 * 1024;
  private static final Pattern ACTOR = Pattern.compile("[A-Za-z0-9._@:+-]{1,128}");
  private static final Pattern KEY_PATH = Pattern.compile("/admin/keys/([^/]+)(/revoke)?");

  private final RuntimeStore store;
  private final Supplier<GatewayConfig> config;
  private final Optional<AdminToken> token;
  private final Runnable changed;
  private final Clock clock;

  /**
   * @param config the config in force, to check consumer and model names against
   * @param token empty: no token configured, so every call is refused
   * @param changed called after each change, to publish it without waiting for the next poll
   */
  public AdminApi(RuntimeStore store, Supplier<GatewayConfig> config, Optional<AdminToken> token, Runnable changed,
      Clock clock) {
    this.store = store;
    this.config = config;
    this.token = token;
    this.changed = changed;
    this.clock = clock;
  }

  /** A refusal of the request as sent: 400 with the field at fault. */
  static final class BadRequest extends Exception {
    final String param;

    BadRequest(String message, String param) {
      super(message);
      this.param = param;
    }
  }

  /** Any other answer that is not a success. */
  private static final class Refused extends Exception {
    final OpenAiError error;

    Refused(OpenAiError error) {
      super(error.message());
      this.error = error;
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status;
      String body;
      try {
        authenticate(exchange);
        Reply reply = route(exchange);
        status = reply.status;
        body = JSON.writeValueAsString(reply.body);
      } catch (BadRequest e) {
        OpenAiError error = OpenAiError.invalidRequest(e.getMessage(), e.param);
        status = error.status();
        body = error.toJson();
      } catch (Refused e) {
        status = e.error.status();
        body = e.error.toJson();
      } catch (SQLException | RuntimeException e) {
        // The cause goes to the log (SQL states and messages hold no secrets); the caller gets a clean 503.
        LOG.error("admin API {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
            e.toString());
        OpenAiError error = AdminHttp.storeUnavailable();
        status = error.status();
        body = error.toJson();
      }
      AdminHttp.send(exchange, status, body);
    }
  }

  private record Reply(int status, JsonNode body) {}

  private void authenticate(HttpExchange exchange) throws Refused {
    Optional<OpenAiError> refusal = AdminHttp.refusal(token, exchange);
    if (refusal.isPresent()) {
      throw new Refused(refusal.get());
    }
  }

  private Reply route(HttpExchange exchange) throws BadRequest, Refused, SQLException, IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    if (path.equals("/admin/keys")) {
      return switch (method) {
        case "GET" -> listKeys(query);
        case "POST" -> createKey(exchange);
        default -> throw methodNotAllowed("GET or POST");
      };
    }
    var keyPath = KEY_PATH.matcher(path);
    if (keyPath.matches()) {
      boolean revokeVerb = keyPath.group(2) != null;
      if (!(revokeVerb ? method.equals("POST") : method.equals("DELETE"))) {
        throw methodNotAllowed(revokeVerb ? "POST" : "DELETE");
      }
      return revokeKey(exchange, keyPath.group(1));
    }
    if (path.equals("/admin/subscriptions")) {
      return switch (method) {
        case "GET" -> listSubscriptions(query);
        case "POST" -> requestSubscription(exchange);
        default -> throw methodNotAllowed("GET or POST");
      };
    }
    if (path.startsWith("/admin/subscriptions/")) {
      Optional<Decision> decision = Decision.ofVerb(path.substring("/admin/subscriptions/".length()));
      if (decision.isPresent()) {
        if (!method.equals("POST")) {
          throw methodNotAllowed("POST");
        }
        return decide(exchange, decision.get());
      }
    }
    if (path.equals("/admin/audit")) {
      if (!method.equals("GET")) {
        throw methodNotAllowed("GET");
      }
      return audit(query);
    }
    throw new Refused(new OpenAiError(404, "Unknown admin path. See docs/ADMIN.md for /admin/keys, "
        + "/admin/subscriptions and /admin/audit.", "invalid_request_error", null, "unknown_url"));
  }

  // ---- keys

  private Reply createKey(HttpExchange exchange) throws BadRequest, Refused, SQLException, IOException {
    ObjectNode body = body(exchange, Set.of("consumer", "expires_in", "expires_at"));
    String consumer = consumer(requiredText(body, "consumer"));
    Instant expiresAt = Expiry.read(body.get("expires_in"), body.get("expires_at"),
        Instant.ofEpochMilli(clock.millis()));
    CreatedKey created = store.createKey(consumer, expiresAt, actor(exchange));
    changed.run();
    ObjectNode json = key(created.record());
    // The only time the key is shown; it is not kept anywhere.
    json.put("key", created.key());
    return new Reply(201, json);
  }

  private Reply listKeys(Map<String, String> query) throws BadRequest, SQLException {
    onlyParams(query, Set.of("consumer"));
    ArrayNode data = JSON.createArrayNode();
    for (KeyRecord record : store.listKeys(query.get("consumer"))) {
      data.add(key(record));
    }
    return new Reply(200, list(data));
  }

  private Reply revokeKey(HttpExchange exchange, String prefix) throws Refused, SQLException {
    if (!ApiKeyFormat.isPrefix(prefix)) {
      // A whole key pasted here must not be echoed back or logged.
      throw new Refused(new OpenAiError(404, "No API key with that prefix (the " + ApiKeyFormat.PREFIX_HEX_DIGITS
          + " hex digits after tg_).", "invalid_request_error", "prefix", "key_not_found"));
    }
    try {
      KeyRecord revoked = store.revokeKey(prefix, actor(exchange));
      changed.run();
      return new Reply(200, key(revoked));
    } catch (StoreException e) {
      throw refused(e, "key");
    }
  }

  private ObjectNode key(KeyRecord record) {
    ObjectNode json = JSON.createObjectNode();
    json.put("object", "api_key");
    json.put("prefix", record.prefix());
    json.put("consumer", record.consumer());
    json.put("status", record.statusAt(clock.instant()));
    json.put("created_at", text(record.createdAt()));
    json.put("created_by", record.createdBy());
    json.put("expires_at", text(record.expiresAt()));
    json.put("revoked_at", text(record.revokedAt()));
    json.put("revoked_by", record.revokedBy());
    return json;
  }

  // ---- subscriptions

  private Reply requestSubscription(HttpExchange exchange) throws BadRequest, Refused, SQLException, IOException {
    ObjectNode body = body(exchange, Set.of("consumer", "model"));
    String consumer = consumer(requiredText(body, "consumer"));
    String model = model(requiredText(body, "model"));
    try {
      SubscriptionRecord record = store.requestSubscription(consumer, model, actor(exchange));
      changed.run();
      return new Reply(201, subscription(record));
    } catch (StoreException e) {
      throw refused(e, "subscription");
    }
  }

  private Reply decide(HttpExchange exchange, Decision decision) throws BadRequest, Refused, SQLException,
      IOException {
    ObjectNode body = body(exchange, Set.of("consumer", "model"));
    // Names are not checked against the config here: an admin may still revoke a subscription
    // of a consumer or model that the config has since dropped.
    String consumer = requiredText(body, "consumer");
    String model = requiredText(body, "model");
    try {
      SubscriptionRecord record = store.decide(consumer, model, decision, actor(exchange));
      changed.run();
      return new Reply(200, subscription(record));
    } catch (StoreException e) {
      throw refused(e, "subscription");
    }
  }

  private Reply listSubscriptions(Map<String, String> query) throws BadRequest, SQLException {
    onlyParams(query, Set.of("consumer", "status"));
    RuntimeState.Status status = null;
    if (query.containsKey("status")) {
      try {
        status = RuntimeState.Status.valueOf(query.get("status").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new BadRequest("status must be one of pending, approved, rejected, revoked.", "status");
      }
    }
    ArrayNode data = JSON.createArrayNode();
    for (SubscriptionRecord record : store.listSubscriptions(query.get("consumer"), status)) {
      data.add(subscription(record));
    }
    return new Reply(200, list(data));
  }

  private static ObjectNode subscription(SubscriptionRecord record) {
    ObjectNode json = JSON.createObjectNode();
    json.put("object", "subscription");
    json.put("consumer", record.consumer());
    json.put("model", record.model());
    json.put("status", record.status().name().toLowerCase(Locale.ROOT));
    json.put("requested_at", text(record.requestedAt()));
    json.put("requested_by", record.requestedBy());
    json.put("decided_by", record.decidedBy());
    json.put("decided_at", text(record.decidedAt()));
    return json;
  }

  // ---- audit

  private Reply audit(Map<String, String> query) throws BadRequest, SQLException {
    onlyParams(query, Set.of("limit"));
    int limit = 100;
    if (query.containsKey("limit")) {
      try {
        limit = Integer.parseInt(query.get("limit"));
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 10_000) {
        throw new BadRequest("limit must be between 1 and 10000.", "limit");
      }
    }
    ArrayNode data = JSON.createArrayNode();
    for (AuditRecord record : store.audit(limit)) {
      ObjectNode json = JSON.createObjectNode();
      json.put("object", "audit_entry");
      json.put("id", record.id());
      json.put("at", text(record.at()));
      json.put("actor", record.actor());
      json.put("action", record.action());
      json.put("consumer", record.consumer());
      json.put("subject", record.subject());
      json.put("detail", record.detail());
      data.add(json);
    }
    return new Reply(200, list(data));
  }

  // ---- request reading

  private static ObjectNode body(HttpExchange exchange, Set<String> allowed) throws BadRequest, IOException {
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
        throw new BadRequest("Unknown field '" + clip(name) + "'; allowed: " + String.join(", ", allowed.stream().sorted().toList())
            + ".", clip(name));
      }
    }
    return (ObjectNode) node;
  }

  private static String requiredText(ObjectNode body, String field) throws BadRequest {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw new BadRequest("'" + field + "' is required.", field);
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new BadRequest("'" + field + "' must be a non-empty string.", field);
    }
    return value.asText();
  }

  private String consumer(String name) throws Refused {
    for (ConsumerConfig consumer : config.get().consumers()) {
      if (consumer != null && name.equals(consumer.name())) {
        return name;
      }
    }
    throw new Refused(new OpenAiError(404, "No consumer named '" + clip(name) + "' in the config.",
        "invalid_request_error", "consumer", "consumer_not_found"));
  }

  private String model(String name) throws Refused {
    for (ModelConfig model : config.get().models()) {
      if (model != null && name.equals(model.name())) {
        return name;
      }
    }
    throw new Refused(new OpenAiError(404, "No model named '" + clip(name) + "' in the config.",
        "invalid_request_error", "model", "model_not_found"));
  }

  private static String actor(HttpExchange exchange) {
    String actor = exchange.getRequestHeaders().getFirst(ACTOR_HEADER);
    return actor != null && ACTOR.matcher(actor).matches() ? actor : "admin";
  }

  private static void onlyParams(Map<String, String> query, Set<String> allowed) throws BadRequest {
    for (String name : query.keySet()) {
      if (!allowed.contains(name)) {
        throw new BadRequest("Unknown query parameter '" + clip(name) + "'.", clip(name));
      }
    }
  }

  private static Map<String, String> query(String raw) throws BadRequest {
    Optional<Map<String, String>> params = AdminHttp.query(raw);
    if (params.isEmpty()) {
      throw new BadRequest(AdminHttp.INVALID_QUERY, null);
    }
    return params.get();
  }

  private static Refused refused(StoreException e, String what) {
    return switch (e.reason()) {
      case NOT_FOUND -> new Refused(new OpenAiError(404, e.getMessage(), "invalid_request_error", null,
          what + "_not_found"));
      case CONFLICT -> new Refused(new OpenAiError(409, e.getMessage(), "invalid_request_error", null,
          what + "_conflict"));
    };
  }

  private static Refused methodNotAllowed(String allowed) {
    return new Refused(new OpenAiError(405, "Use " + allowed + ".", "invalid_request_error", null,
        "method_not_allowed"));
  }

  private static ObjectNode list(ArrayNode data) {
    ObjectNode json = JSON.createObjectNode();
    json.put("object", "list");
    json.set("data", data);
    return json;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  /** Names echoed in errors: a key pasted into a name field must not come back. */
  private static String clip(String text) {
    return text.length() > 128 || text.startsWith(ApiKeyFormat.START) ? "(not shown)" : text;
  }
}
