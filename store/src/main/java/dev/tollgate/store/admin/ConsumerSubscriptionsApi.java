package dev.tollgate.store.admin;

import static dev.tollgate.store.admin.JsonEndpoint.JSON;
import static dev.tollgate.store.admin.JsonEndpoint.clip;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.ApiKeyEntry;
import dev.tollgate.core.policy.ConsumerPolicy;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.core.policy.PolicySource;
import dev.tollgate.store.RuntimeStore;
import dev.tollgate.store.StoreException;
import dev.tollgate.store.StoreRecords.SubscriptionRecord;
import dev.tollgate.store.admin.JsonEndpoint.BadRequest;
import dev.tollgate.store.admin.JsonEndpoint.Refused;
import dev.tollgate.store.admin.JsonEndpoint.Reply;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer self-service, {@code /v1/subscriptions} on the control plane's admin port: a consumer
 * asks for a model with its own API key ({@code POST {"model": M}}) and lists its own
 * subscriptions ({@code GET}). The key is checked by the policy's one lookup, the same that
 * ext_authz uses ({@link PolicySnapshot#apiKey}), so config keys and runtime keys work, and
 * revoked, unknown and expired keys fail here as they fail at the gateway. The request is recorded
 * as made by {@code consumer:<name>}; only an admin can decide it.
 */
public final class ConsumerSubscriptionsApi implements HttpHandler {
  public static final String PATH = "/v1/subscriptions";
  /** Prefix of the actor a consumer's own request is recorded under; admin names cannot contain ':'. */
  public static final String ACTOR_PREFIX = "consumer:";
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerSubscriptionsApi.class);

  private final RuntimeStore store;
  private final PolicySource policy;
  private final Runnable changed;
  private final Clock clock;

  /**
   * @param policy the policy in force, runtime keys included: who holds which key, teams, models
   * @param changed called after a request, to publish it without waiting for the next poll
   */
  public ConsumerSubscriptionsApi(RuntimeStore store, PolicySource policy, Runnable changed, Clock clock) {
    this.store = store;
    this.policy = policy;
    this.changed = changed;
    this.clock = clock;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    JsonEndpoint.serve(exchange, LOG, () -> {
      if (!exchange.getRequestURI().getPath().equals(PATH)) {
        throw new Refused(new OpenAiError(404, "Unknown path. Consumers may use GET and POST " + PATH + ".",
            "invalid_request_error", null, "unknown_url"));
      }
      PolicySnapshot snapshot = policy.current();
      ConsumerPolicy consumer = caller(exchange, snapshot);
      return switch (exchange.getRequestMethod()) {
        case "GET" -> list(exchange, consumer);
        case "POST" -> request(exchange, consumer, snapshot);
        default -> throw JsonEndpoint.methodNotAllowed("GET or POST");
      };
    });
  }

  /** The consumer whose key is presented; 401 as the gateway answers it otherwise. */
  private ConsumerPolicy caller(HttpExchange exchange, PolicySnapshot snapshot) throws Refused {
    String key = AdminHttp.bearer(exchange).orElseThrow(() -> new Refused(OpenAiError.invalidApiKey()));
    ApiKeyEntry entry = snapshot.apiKey(key).orElseThrow(() -> new Refused(OpenAiError.invalidApiKey()));
    if (entry.isExpiredAt(clock.instant())) {
      throw new Refused(OpenAiError.apiKeyExpired());
    }
    return entry.consumer();
  }

  private Reply request(HttpExchange exchange, ConsumerPolicy consumer, PolicySnapshot snapshot)
      throws BadRequest, Refused, SQLException, IOException {
    JsonEndpoint.query(exchange, Set.of());
    String model = JsonEndpoint.requiredText(JsonEndpoint.body(exchange, Set.of("model")), "model");
    if (!snapshot.models().contains(model)) {
      throw new Refused(OpenAiError.modelNotFound(clip(model)));
    }
    // A subscription only lifts the team's subscription rule; it never widens the model lists.
    if (!consumer.mayUse(model)) {
      throw new Refused(new OpenAiError(400, "You may not use the model '" + model + "' at all (your or your "
          + "team's model list); a subscription would not change that.", "invalid_request_error", "model",
          "model_not_allowed"));
    }
    if (consumer.team() == null || !consumer.team().requireSubscription()) {
      throw new Refused(new OpenAiError(400, "Your team does not require subscriptions: you may call '" + model
          + "' without one.", "invalid_request_error", "model", "subscription_not_required"));
    }
    try {
      SubscriptionRecord record = store.requestSubscription(consumer.name(), model, ACTOR_PREFIX + consumer.name());
      changed.run();
      return new Reply(201, AdminApi.subscription(record));
    } catch (StoreException e) {
      throw JsonEndpoint.refused(e, "subscription");
    }
  }

  private Reply list(HttpExchange exchange, ConsumerPolicy consumer) throws BadRequest, SQLException {
    JsonEndpoint.query(exchange, Set.of());
    ArrayNode data = JSON.createArrayNode();
    for (SubscriptionRecord record : store.listSubscriptions(consumer.name(), null)) {
      data.add(AdminApi.subscription(record));
    }
    return new Reply(200, JsonEndpoint.list(data));
  }
}
