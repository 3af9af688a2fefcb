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

/**
 * Which limits apply to a caller and model, compiled once per policy: the consumer's own, its
 * team's (shared by every member), and the per-model entries of each.
 */
final class LimitPlan {
  /** Slack beyond the model's timeout before a Redis lease expires on its own. */
  static final long LEASE_MARGIN_MS = 5_000;
  static final long DEFAULT_LEASE_MS = 300_000 + LEASE_MARGIN_MS;

  private final RequestLimitsPolicy policy;
  private final Map<ModelRule, ModelPattern> patterns = new HashMap<>();

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

  /** Every limit this request must pass; empty when none applies. */
  List<LimitCheck> checks(CallerIdentity caller, String model) {
    List<LimitCheck> checks = new ArrayList<>(4);
    add(checks, policy.consumers().get(caller.consumer()), "c/" + caller.consumer(),
        "consumer '" + caller.consumer() + "'", "consumer", model);
    if (!caller.team().isEmpty()) {
      add(checks, policy.teams().get(caller.team()), "t/" + caller.team(),
          "team '" + caller.team() + "'", "team", model);
    }
    return checks;
  }

  long leaseMillis(String model) {
    Long timeout = policy.modelTimeoutsMs().get(model);
    return timeout == null ? DEFAULT_LEASE_MS : timeout + LEASE_MARGIN_MS;
  }

  private void add(List<LimitCheck> checks, LimitRule rule, String key, String who, String scope, String model) {
    if (rule == null) {
      return;
    }
    if (rule.rate() != null || rule.maxConcurrent() > 0) {
      checks.add(new LimitCheck(key, who, scope, rule.rate(), rule.maxConcurrent()));
    }
    for (ModelRule modelRule : rule.models()) {
      if (patterns.get(modelRule).matches(model)) {
        // '/' cannot occur in consumer or team names, so the key stays unambiguous.
        checks.add(new LimitCheck(key + "/" + model, who + " on model '" + model + "'", scope + "_model",
            modelRule.rate(), modelRule.maxConcurrent()));
        break;
      }
    }
  }
}
