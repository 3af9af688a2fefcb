package dev.tollgate.store.admin;

import static dev.tollgate.store.admin.JsonEndpoint.JSON;
import static dev.tollgate.store.admin.JsonEndpoint.body;
import static dev.tollgate.store.admin.JsonEndpoint.clip;
import static dev.tollgate.store.admin.JsonEndpoint.list;
import static dev.tollgate.store.admin.JsonEndpoint.methodNotAllowed;
import static dev.tollgate.store.admin.JsonEndpoint.query;
import static dev.tollgate.store.admin.JsonEndpoint.refused;
import static dev.tollgate.store.admin.JsonEndpoint.requiredText;
import static dev.tollgate.store.admin.JsonEndpoint.text;

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
import dev.tollgate.store.admin.JsonEndpoint.BadRequest;
import dev.tollgate.store.admin.JsonEndpoint.Refused;
import dev.tollgate.store.admin.JsonEndpoint.Reply;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
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
 * plus the decision log. Every call needs {@code Authorization: Bearer <admin token>}; the name of
 * the admin that token belongs to is the actor of every change it makes. Errors are OpenAI-shaped.
 * A created key is in the response once and nowhere else: not in the store, the log or any later
 * response.
 */
public final class AdminApi implements HttpHandler {
  public static final String PATH = "/admin/";
  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
  private static final Pattern KEY_PATH = Pattern.compile("/admin/keys/([^/]+)(/revoke)?");

  private final RuntimeStore store;
  private final Supplier<GatewayConfig> config;
  private final AdminTokens admins;
  private final Runnable changed;
  private final Clock clock;

  /**
   * @param config the config in force, to check consumer and model names against
   * @param admins who may call; none: every call is refused
   * @param changed called after each change, to publish it without waiting for the next poll
   */
  public AdminApi(RuntimeStore store, Supplier<GatewayConfig> config, AdminTokens admins, Runnable changed,
      Clock clock) {
    this.store = store;
    this.config = config;
    this.admins = admins;
    this.changed = changed;
    this.clock = clock;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    JsonEndpoint.serve(exchange, LOG, () -> route(exchange, AdminHttp.admin(admins, exchange)));
  }

  /** @param admin the verified admin's name: the actor of any change */
  private Reply route(HttpExchange exchange, String admin) throws BadRequest, Refused, SQLException, IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if (path.equals("/admin/keys")) {
      return switch (method) {
        case "GET" -> listKeys(exchange);
        case "POST" -> createKey(exchange, admin);
        default -> throw methodNotAllowed("GET or POST");
      };
    }
    var keyPath = KEY_PATH.matcher(path);
    if (keyPath.matches()) {
      boolean revokeVerb = keyPath.group(2) != null;
      if (!(revokeVerb ? method.equals("POST") : method.equals("DELETE"))) {
        throw methodNotAllowed(revokeVerb ? "POST" : "DELETE");
      }
      return revokeKey(keyPath.group(1), admin);
    }
    if (path.equals("/admin/subscriptions")) {
      return switch (method) {
        case "GET" -> listSubscriptions(exchange);
        case "POST" -> requestSubscription(exchange, admin);
        default -> throw methodNotAllowed("GET or POST");
      };
    }
    if (path.startsWith("/admin/subscriptions/")) {
      Optional<Decision> decision = Decision.ofVerb(path.substring("/admin/subscriptions/".length()));
      if (decision.isPresent()) {
        if (!method.equals("POST")) {
          throw methodNotAllowed("POST");
        }
        return decide(exchange, decision.get(), admin);
      }
    }
    if (path.equals("/admin/audit")) {
      if (!method.equals("GET")) {
        throw methodNotAllowed("GET");
      }
      return audit(exchange);
    }
    throw new Refused(new OpenAiError(404, "Unknown admin path. See docs/ADMIN.md for /admin/keys, "
        + "/admin/subscriptions and /admin/audit.", "invalid_request_error", null, "unknown_url"));
  }

  // ---- keys

  private Reply createKey(HttpExchange exchange, String admin) throws BadRequest, Refused, SQLException, IOException {
    ObjectNode body = body(exchange, Set.of("consumer", "expires_in", "expires_at"));
    String consumer = consumer(requiredText(body, "consumer"));
    Instant expiresAt = Expiry.read(body.get("expires_in"), body.get("expires_at"),
        Instant.ofEpochMilli(clock.millis()));
    CreatedKey created = store.createKey(consumer, expiresAt, admin);
    changed.run();
    ObjectNode json = key(created.record());
    // The only time the key is shown; it is not kept anywhere.
    json.put("key", created.key());
    return new Reply(201, json);
  }

  private Reply listKeys(HttpExchange exchange) throws BadRequest, SQLException {
    Map<String, String> query = query(exchange, Set.of("consumer"));
    ArrayNode data = JSON.createArrayNode();
    for (KeyRecord record : store.listKeys(query.get("consumer"))) {
      data.add(key(record));
    }
    return new Reply(200, list(data));
  }

  private Reply revokeKey(String prefix, String admin) throws Refused, SQLException {
    if (!ApiKeyFormat.isPrefix(prefix)) {
      // A whole key pasted here must not be echoed back or logged.
      throw new Refused(new OpenAiError(404, "No API key with that prefix (the " + ApiKeyFormat.PREFIX_HEX_DIGITS
          + " hex digits after tg_).", "invalid_request_error", "prefix", "key_not_found"));
    }
    try {
      KeyRecord revoked = store.revokeKey(prefix, admin);
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

  private Reply requestSubscription(HttpExchange exchange, String admin)
      throws BadRequest, Refused, SQLException, IOException {
    ObjectNode body = body(exchange, Set.of("consumer", "model"));
    String consumer = consumer(requiredText(body, "consumer"));
    String model = model(requiredText(body, "model"));
    try {
      SubscriptionRecord record = store.requestSubscription(consumer, model, admin);
      changed.run();
      return new Reply(201, subscription(record));
    } catch (StoreException e) {
      throw refused(e, "subscription");
    }
  }

  private Reply decide(HttpExchange exchange, Decision decision, String admin) throws BadRequest, Refused,
      SQLException, IOException {
    ObjectNode body = body(exchange, Set.of("consumer", "model"));
    // Names are not checked against the config here: an admin may still revoke a subscription
    // of a consumer or model that the config has since dropped.
    String consumer = requiredText(body, "consumer");
    String model = requiredText(body, "model");
    try {
      SubscriptionRecord record = store.decide(consumer, model, decision, admin);
      changed.run();
      return new Reply(200, subscription(record));
    } catch (StoreException e) {
      throw refused(e, "subscription");
    }
  }

  private Reply listSubscriptions(HttpExchange exchange) throws BadRequest, SQLException {
    Map<String, String> query = query(exchange, Set.of("consumer", "status"));
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

  /** A subscription as the admin API and the consumer endpoint show it. */
  static ObjectNode subscription(SubscriptionRecord record) {
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

  private Reply audit(HttpExchange exchange) throws BadRequest, SQLException {
    Map<String, String> query = query(exchange, Set.of("limit"));
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

  // ---- names of the config

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
}
