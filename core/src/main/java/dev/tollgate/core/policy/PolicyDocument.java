package dev.tollgate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tollgate.core.config.ConsumerConfig;
import dev.tollgate.core.config.GatewayConfig;
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
    @JsonProperty("max_request_body_bytes") int maxRequestBodyBytes) {

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
  }

  public static PolicyDocument from(GatewayConfig config, String version) {
    return new PolicyDocument(version,
        config.consumers().stream().map(PolicyDocument::consumer).toList(),
        config.models().stream().map(ModelConfig::name).toList(),
        config.limits().maxRequestBodyBytes());
  }

  private static Consumer consumer(ConsumerConfig consumer) {
    return new Consumer(consumer.name(),
        consumer.apiKeys().stream().map(k -> k.substring(PolicySnapshot.KEY_HASH_PREFIX.length())).toList(),
        consumer.models());
  }

  /** No consumer, no model: until a policy arrives every request is refused. */
  public static PolicyDocument empty() {
    return new PolicyDocument("", List.of(), List.of(), 1024 * 1024);
  }
}
