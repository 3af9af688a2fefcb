package dev.tollgate.core.policy;

import dev.tollgate.core.config.ConsumerConfig;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ModelConfig;
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
    return new PolicySnapshot("", Map.of(), Map.of(), Set.of(), 1024 * 1024);
  }

  public static PolicySnapshot from(GatewayConfig config, String version) {
    Map<String, ApiKeyEntry> byKey = new HashMap<>();
    Map<String, ConsumerPolicy> byName = new HashMap<>();
    for (ConsumerConfig consumer : config.consumers()) {
      ConsumerPolicy policy = new ConsumerPolicy(
          consumer.name(), consumer.models().stream().map(ModelPattern::of).toList());
      byName.put(consumer.name(), policy);
      for (String key : consumer.apiKeys()) {
        String hex = key.substring(KEY_HASH_PREFIX.length());
        byKey.put(hex, new ApiKeyEntry(HexFormat.of().parseHex(hex), policy));
      }
    }
    Set<String> models = new LinkedHashSet<>();
    for (ModelConfig model : config.models()) {
      models.add(model.name());
    }
    return new PolicySnapshot(version, byKey, byName, models, config.limits().maxRequestBodyBytes());
  }

  public Optional<ConsumerPolicy> consumer(String name) {
    return Optional.ofNullable(consumersByName.get(name));
  }
}
