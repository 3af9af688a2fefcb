package dev.tollgate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tollgate.core.config.ConsumerConfig;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.InspectionPolicyConfig;
import dev.tollgate.core.config.TargetConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.tollgate.core.config.ModelConfig;
import java.util.List;

/**
 * The policy as data: what the control plane sends to every ext service, in process or over the
 * policy stream. Key hashes only, never keys. {@link PolicySnapshot#of} turns it into the form
 * requests are decided by.
 */
public record PolicyDocument(
    @JsonProperty("version") String version,
    @JsonProperty("consumers") List<Consumer> consumers,
    @JsonProperty("models") List<String> models,
    @JsonProperty("max_request_body_bytes") int maxRequestBodyBytes,
    /* Keys created at run time and subscriptions, from the control plane's store. Default: empty. */
    @JsonProperty("runtime") RuntimeState runtime,
    /* Request-rate and concurrency limits, and where they are counted. Default: none. */
    @JsonProperty("request_limits") RequestLimitsPolicy requestLimits,
    /* Teams, consumers' identity rights, JWT providers. Default: empty (no teams, no JWT providers). */
    @JsonProperty("identity") IdentityDocument identity,
    /* Inspection policies as configured, in match order. Default: none (no inspection). */
    @JsonProperty("policies") List<InspectionPolicyConfig> policies,
    /* Each public model's upstream target names, so the request path counts tokens with the
       target's tokenizer. Default: none (the public name is used). */
    @JsonProperty("upstream_models") Map<String, List<String>> upstreamModels,
    /* Prices and budgets (dev.tollgate.proc.budget). Default: the shipped prices, no budget. */
    @JsonProperty("budgets") BudgetPolicy budgets) {

  /** @param apiKeySha256 lower-case hex SHA-256 of each key */
  public record Consumer(
      @JsonProperty("name") String name,
      @JsonProperty("api_key_sha256") List<String> apiKeySha256,
      @JsonProperty("models") List<String> models) {
    public Consumer {
      apiKeySha256 = List.copyOf(apiKeySha256);
      models = List.copyOf(models);
    }
  }

  public PolicyDocument {
    consumers = List.copyOf(consumers);
    models = List.copyOf(models);
    runtime = runtime == null ? RuntimeState.empty() : runtime;
    requestLimits = requestLimits == null ? RequestLimitsPolicy.NONE : requestLimits;
    identity = identity == null ? IdentityDocument.empty() : identity;
    policies = policies == null ? List.of() : List.copyOf(policies);
    upstreamModels = upstreamModels == null ? Map.of() : Map.copyOf(upstreamModels);
    budgets = budgets == null ? BudgetPolicy.NONE : budgets;
  }

  /** A document without identity settings (no teams, no JWT providers). */
  public PolicyDocument(String version, List<Consumer> consumers, List<String> models, int maxRequestBodyBytes,
      RuntimeState runtime, RequestLimitsPolicy requestLimits) {
    this(version, consumers, models, maxRequestBodyBytes, runtime, requestLimits, null, null, null, null);
  }

  /**
   * This document with the store's state in it. The version gains {@code +r<n>} so ext services
   * (and /status readers) see a new policy version whenever the runtime state changes.
   *
   * @param configVersion the version of the config the document was made from
   */
  public PolicyDocument withRuntime(String configVersion, RuntimeState state) {
    String next = state.version() == 0 ? configVersion : configVersion + "+r" + state.version();
    return new PolicyDocument(next, consumers, models, maxRequestBodyBytes, state, requestLimits, identity,
        policies, upstreamModels, budgets);
  }

  public static PolicyDocument from(GatewayConfig config, String version) {
    return new PolicyDocument(version,
        config.consumers().stream().map(PolicyDocument::consumer).toList(),
        config.models().stream().map(ModelConfig::name).toList(),
        config.limits().maxRequestBodyBytes(),
        RuntimeState.empty(),
        RequestLimitsPolicy.from(config),
        IdentityDocument.from(config),
        config.policies(),
        upstreamModels(config),
        BudgetPolicy.from(config));
  }

  private static Map<String, List<String>> upstreamModels(GatewayConfig config) {
    Map<String, List<String>> byModel = new LinkedHashMap<>();
    for (ModelConfig model : config.models()) {
      if (model != null && model.name() != null) {
        byModel.put(model.name(), model.targets().stream()
            .filter(t -> t != null && t.model() != null).map(TargetConfig::model).distinct().toList());
      }
    }
    return byModel;
  }

  private static Consumer consumer(ConsumerConfig consumer) {
    return new Consumer(consumer.name(),
        consumer.apiKeys().stream().map(k -> k.substring(PolicySnapshot.KEY_HASH_PREFIX.length())).toList(),
        consumer.models());
  }

  /** No consumer, no model: until a policy arrives every request is refused. */
  public static PolicyDocument empty() {
    return new PolicyDocument("", List.of(), List.of(), 1024 * 1024, RuntimeState.empty(), RequestLimitsPolicy.NONE);
  }
}
