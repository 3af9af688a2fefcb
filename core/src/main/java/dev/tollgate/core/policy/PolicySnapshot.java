package dev.tollgate.core.policy;

import dev.tollgate.core.Sha256;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.InspectionPolicyConfig;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The immutable part of a config snapshot that the ext services decide by. A new config produces a
 * new snapshot; a request in flight keeps the one it started with.
 *
 * @param apiKeysByHash stored key by the lower-case hex SHA-256 of the key
 * @param consumersByName consumer by name, for identities that arrive from ext_authz metadata
 * @param apiKeysByPrefix keys created at run time, by their non-secret prefix ({@link ApiKeyFormat})
 * @param subscriptions subscription status by {@link #subscriptionKey(String, String)}
 * @param requestLimits rate and concurrency limits (never null; {@link RequestLimitsPolicy#NONE})
 * @param identity teams, consumers by SPIFFE ID, JWT providers by issuer
 * @param policies inspection policies in match order, as configured; ext-proc compiles them once
 *     per snapshot version (they hold regexes and classifiers core cannot build)
 * @param upstreamModels each public model's target names upstream, for the token count
 * @param budgets prices and budgets (never null; {@link BudgetPolicy#NONE})
 */
public record PolicySnapshot(
    String version,
    Map<String, ApiKeyEntry> apiKeysByHash,
    Map<String, ConsumerPolicy> consumersByName,
    Set<String> models,
    int maxRequestBodyBytes,
    Map<String, ApiKeyEntry> apiKeysByPrefix,
    Map<String, RuntimeState.Status> subscriptions,
    RequestLimitsPolicy requestLimits,
    IdentityPolicy identity,
    List<InspectionPolicyConfig> policies,
    Map<String, List<String>> upstreamModels,
    BudgetPolicy budgets) {

  public static final String KEY_HASH_PREFIX = "sha256:";

  public PolicySnapshot {
    apiKeysByPrefix = Map.copyOf(apiKeysByPrefix);
    subscriptions = Map.copyOf(subscriptions);
    apiKeysByHash = Map.copyOf(apiKeysByHash);
    consumersByName = Map.copyOf(consumersByName);
    models = Set.copyOf(models);
    policies = policies == null ? List.of() : List.copyOf(policies);
    upstreamModels = upstreamModels == null ? Map.of() : Map.copyOf(upstreamModels);
  }

  /** An empty policy: no consumer, no model. Every request is refused until a config arrives. */
  public static PolicySnapshot empty() {
    return of(PolicyDocument.empty());
  }

  public static PolicySnapshot from(GatewayConfig config, String version) {
    return of(PolicyDocument.from(config, version));
  }

  /** Compiles the document once: globs to patterns, hex to bytes, lists to lookups. */
  public static PolicySnapshot of(PolicyDocument document) {
    Map<String, ApiKeyEntry> byKey = new HashMap<>();
    Map<String, ConsumerPolicy> byName = new HashMap<>();
    IdentityPolicy identity = IdentityPolicy.of(document.identity());
    for (PolicyDocument.Consumer consumer : document.consumers()) {
      // The consumer's rights with its team's bounds applied.
      ConsumerPolicy policy = identity.consumer(
          consumer.name(), consumer.models().stream().map(ModelPattern::of).toList());
      byName.put(consumer.name(), policy);
      for (String hex : consumer.apiKeySha256()) {
        byKey.put(hex, new ApiKeyEntry(HexFormat.of().parseHex(hex), policy));
      }
    }
    return new PolicySnapshot(document.version(), byKey, byName, new LinkedHashSet<>(document.models()),
        document.maxRequestBodyBytes(), runtimeKeys(document.runtime(), byName),
        subscriptions(document.runtime()), document.requestLimits(), identity, document.policies(),
        document.upstreamModels(), document.budgets());
  }

  /** Keys of consumers the config no longer has are dropped: nobody to authorise them as. */
  private static Map<String, ApiKeyEntry> runtimeKeys(RuntimeState runtime, Map<String, ConsumerPolicy> byName) {
    Map<String, ApiKeyEntry> byPrefix = new HashMap<>();
    for (RuntimeState.RuntimeKey key : runtime.keys()) {
      ConsumerPolicy consumer = byName.get(key.consumer());
      if (consumer != null) {
        byPrefix.put(key.prefix(),
            new ApiKeyEntry(HexFormat.of().parseHex(key.sha256()), consumer, key.expiresAtEpochSecond()));
      }
    }
    return byPrefix;
  }

  private static Map<String, RuntimeState.Status> subscriptions(RuntimeState runtime) {
    Map<String, RuntimeState.Status> byKey = new HashMap<>();
    for (RuntimeState.Subscription subscription : runtime.subscriptions()) {
      byKey.put(subscriptionKey(subscription.consumer(), subscription.model()), subscription.status());
    }
    return byKey;
  }

  static String subscriptionKey(String consumer, String model) {
    return consumer + '\n' + model;
  }

  /** The store's answer to a consumer's request for a public model name; empty if never asked. */
  public Optional<RuntimeState.Status> subscription(String consumer, String model) {
    return Optional.ofNullable(subscriptions.get(subscriptionKey(consumer, model)));
  }

  /**
   * The stored key a presented key is, or empty. Keys created at run time ({@code tg_<prefix>_<secret>})
   * are found by their non-secret prefix; config keys by their digest, a lookup whose timing can
   * reveal at most something about a SHA-256 output, which does not help find a key. Either way
   * the final comparison of the digests is constant-time. Expiry is the caller's to check
   * ({@link ApiKeyEntry#isExpiredAt}); revoked keys are not in the policy at all. The one lookup
   * for ext_authz and the control plane's consumer endpoints.
   */
  public Optional<ApiKeyEntry> apiKey(String presentedKey) {
    byte[] presented = Sha256.of(presentedKey);
    ApiKeyEntry stored = ApiKeyFormat.prefixOf(presentedKey).map(apiKeysByPrefix::get).orElse(null);
    if (stored == null) {
      // Not a runtime key (or a prefix the store does not know): maybe a key from the config file.
      stored = apiKeysByHash.get(HexFormat.of().formatHex(presented));
    }
    return stored != null && stored.matches(presented) ? Optional.of(stored) : Optional.empty();
  }

  public Optional<ConsumerPolicy> consumer(String name) {
    return Optional.ofNullable(consumersByName.get(name));
  }
}
