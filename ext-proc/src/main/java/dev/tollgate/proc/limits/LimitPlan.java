package dev.tollgate.proc.limits;

import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.policy.ModelPattern;
import dev.tollgate.core.policy.RequestLimitsPolicy;
import dev.tollgate.core.policy.RequestLimitsPolicy.LimitRule;
import dev.tollgate.core.policy.RequestLimitsPolicy.ModelRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which limits apply to a caller and model, compiled once per policy: the consumer's own, its
 * team's (shared by every member), and the per-model entries of each.
 */
final class LimitPlan {
  /**
   * Slack beyond the model's {@code timeout_ms} before a Redis concurrency slot (a lease) expires
   * on its own. The timeout is the longest Envoy lets a request live, so a slot still there after
   * it is one whose release was lost (a gateway that died, Redis away at the release). Not
   * configurable; documented in LIMITS.md.
   */
  static final long LEASE_MARGIN_MS = 5_000;
  /** For a model the policy has no timeout for: the default model {@code timeout_ms} (5 min) plus the margin. */
  static final long DEFAULT_LEASE_MS = dev.tollgate.core.config.ModelConfig.DEFAULT_TIMEOUT_MS + LEASE_MARGIN_MS;

  private final RequestLimitsPolicy policy;
  private static final int MAX_CACHED = 10_000;

  private final Map<ModelRule, ModelPattern> patterns = new HashMap<>();
  /** The checks of each caller and model seen, so a decision builds no keys or lists. */
  private final ConcurrentHashMap<CacheKey, List<LimitCheck>> checksByCaller = new ConcurrentHashMap<>();

  private record CacheKey(String consumer, String team, String model) {}

  LimitPlan(RequestLimitsPolicy policy) {
    this.policy = policy;
    for (LimitRule rule : policy.consumers().values()) {
      rule.models().forEach(m -> patterns.put(m, ModelPattern.of(m.model())));
    }
    for (LimitRule rule : policy.teams().values()) {
      rule.models().forEach(m -> patterns.put(m, ModelPattern.of(m.model())));
    }
  }

  RequestLimitsPolicy policy() {
    return policy;
  }

  /** Every limit this request must pass, in key order; empty when none applies. */
  List<LimitCheck> checks(CallerIdentity caller, String model) {
    CacheKey key = new CacheKey(caller.consumer(), caller.team(), model);
    List<LimitCheck> cached = checksByCaller.get(key);
    if (cached != null) {
      return cached;
    }
    List<LimitCheck> checks = new ArrayList<>(4);
    add(checks, policy.consumers().get(caller.consumer()), "c/" + caller.consumer(), "consumer", caller.consumer(), model);
    if (!caller.team().isEmpty()) {
      add(checks, policy.teams().get(caller.team()), "t/" + caller.team(), "team", caller.team(), model);
    }
    List<LimitCheck> result = List.copyOf(checks);
    // Bounded: consumer, team and model all come from the config (the team is the consumer's own,
    // whatever the credential), but consumers times models can still be large; past the bound the
    // checks are built per request.
    if (checksByCaller.size() < MAX_CACHED) {
      checksByCaller.put(key, result);
    }
    return result;
  }

  long leaseMillis(String model) {
    Long timeout = policy.modelTimeoutsMs().get(model);
    return timeout == null ? DEFAULT_LEASE_MS : timeout + LEASE_MARGIN_MS;
  }

  private void add(List<LimitCheck> checks, LimitRule rule, String key, String subject, String name, String model) {
    if (rule == null) {
      return;
    }
    if (rule.rate() != null || rule.maxConcurrent() > 0) {
      checks.add(new LimitCheck(key, subject, name, null, rule.rate(), rule.maxConcurrent()));
    }
    for (ModelRule modelRule : rule.models()) {
      if (patterns.get(modelRule).matches(model)) {
        // '/' cannot occur in consumer or team names, so the key stays unambiguous; it sorts
        // right after the subject's own key, which keeps the list in key order.
        checks.add(new LimitCheck(key + "/" + model, subject, name, model, modelRule.rate(), modelRule.maxConcurrent()));
        break;
      }
    }
  }
}
