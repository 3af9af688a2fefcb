package dev.tollgate.core.policy;

import dev.tollgate.core.config.GatewayConfig;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The immutable part of a config snapshot that the ext services decide by. A new config produces a
 * new snapshot; a request in flight keeps the one it started with.
 *
 * @param apiKeysByHash stored key by the lower-case hex SHA-256 of the key
 * @param consumersByName consumer by name, for identities that arrive from ext_authz metadata
 */
public record PolicySnapshot(
    String version,
    Map<String, ApiKeyEntry> apiKeysByHash,
    Map<String, ConsumerPolicy> consumersByName,
    Set<String> models,
    int maxRequestBodyBytes) {

  public static final String KEY_HASH_PREFIX = "sha256:";

  public PolicySnapshot {
    apiKeysByHash = Map.copyOf(apiKeysByHash);
    consumersByName = Map.copyOf(consumersByName);
    models = Set.copyOf(models);
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
    for (PolicyDocument.Consumer consumer : document.consumers()) {
      ConsumerPolicy policy = new ConsumerPolicy(
          consumer.name(), consumer.models().stream().map(ModelPattern::of).toList());
      byName.put(consumer.name(), policy);
      for (String hex : consumer.apiKeySha256()) {
        byKey.put(hex, new ApiKeyEntry(HexFormat.of().parseHex(hex), policy));
      }
    }
    return new PolicySnapshot(document.version(), byKey, byName, new LinkedHashSet<>(document.models()),
        document.maxRequestBodyBytes());
  }

  public Optional<ConsumerPolicy> consumer(String name) {
    return Optional.ofNullable(consumersByName.get(name));
  }
}
