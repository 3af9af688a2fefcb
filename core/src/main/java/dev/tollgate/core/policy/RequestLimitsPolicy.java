package dev.tollgate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tollgate.core.config.ConsumerConfig;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ModelConfig;
import dev.tollgate.core.config.ModelLimitConfig;
import dev.tollgate.core.config.RateLimitConfig;
import dev.tollgate.core.config.RedisConfig;
import dev.tollgate.core.config.TeamConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Request-rate and concurrency limits as the ext services enforce them, in the policy document.
 * Only consumers and teams with at least one limit are listed.
 *
 * @param consumers limits by consumer name
 * @param teams limits by team name, shared by every consumer of the team
 * @param modelTimeoutsMs each model's whole-request timeout: a concurrency slot held in Redis
 *     expires a little after it, so a gateway that dies cannot hold slots for ever
 * @param redis where limits are counted when several replicas share them; null: in memory
 */
public record RequestLimitsPolicy(
    @JsonProperty("consumers") Map<String, LimitRule> consumers,
    @JsonProperty("teams") Map<String, LimitRule> teams,
    @JsonProperty("model_timeouts_ms") Map<String, Long> modelTimeoutsMs,
    @JsonProperty("redis") RedisConfig redis) {

  public static final RequestLimitsPolicy NONE = new RequestLimitsPolicy(Map.of(), Map.of(), Map.of(), null);

  public RequestLimitsPolicy {
    consumers = consumers == null ? Map.of() : Map.copyOf(consumers);
    teams = teams == null ? Map.of() : Map.copyOf(teams);
    modelTimeoutsMs = modelTimeoutsMs == null ? Map.of() : Map.copyOf(modelTimeoutsMs);
  }

  /** A token bucket: refills at {@code requestsPerMinute}, holds at most {@code burst}. */
  public record Rate(@JsonProperty("requests_per_minute") int requestsPerMinute, @JsonProperty("burst") int burst) {}

  /** @param maxConcurrent requests in flight at once; 0 means no limit */
  public record ModelRule(
      @JsonProperty("model") String model,
      @JsonProperty("rate") Rate rate,
      @JsonProperty("max_concurrent") int maxConcurrent) {}

  /**
   * @param rate null when there is no rate limit
   * @param maxConcurrent requests in flight at once; 0 means no limit
   * @param models per-model limits, first match wins
   */
  public record LimitRule(
      @JsonProperty("rate") Rate rate,
      @JsonProperty("max_concurrent") int maxConcurrent,
      @JsonProperty("models") List<ModelRule> models) {
    public LimitRule {
      models = models == null ? List.of() : List.copyOf(models);
    }

    boolean isEmpty() {
      return rate == null && maxConcurrent == 0 && models.isEmpty();
    }
  }

  public static RequestLimitsPolicy from(GatewayConfig config) {
    Map<String, LimitRule> consumers = new HashMap<>();
    for (ConsumerConfig consumer : config.consumers()) {
      LimitRule rule = rule(consumer.rateLimit(), consumer.maxConcurrentRequests(), consumer.modelLimits());
      if (!rule.isEmpty()) {
        consumers.put(consumer.name(), rule);
      }
    }
    Map<String, LimitRule> teams = new HashMap<>();
    for (TeamConfig team : config.teams()) {
      LimitRule rule = rule(team.rateLimit(), team.maxConcurrentRequests(), team.modelLimits());
      if (!rule.isEmpty()) {
        teams.put(team.name(), rule);
      }
    }
    Map<String, Long> timeouts = new HashMap<>();
    for (ModelConfig model : config.models()) {
      timeouts.put(model.name(), (long) model.timeoutMs());
    }
    return new RequestLimitsPolicy(consumers, teams, timeouts, config.redis());
  }

  private static LimitRule rule(RateLimitConfig rate, Integer maxConcurrent, List<ModelLimitConfig> models) {
    return new LimitRule(rate(rate), Objects.requireNonNullElse(maxConcurrent, 0),
        models.stream().map(m -> new ModelRule(m.model(), rate(m.rateLimit()),
            Objects.requireNonNullElse(m.maxConcurrentRequests(), 0))).toList());
  }

  private static Rate rate(RateLimitConfig rate) {
    return rate == null ? null : new Rate(rate.requestsPerMinute(), rate.burstOrDefault());
  }
}
