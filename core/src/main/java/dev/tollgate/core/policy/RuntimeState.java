package dev.tollgate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The control plane's runtime state that ext services decide by: API keys created at run time and
 * model subscriptions. It lives in the control plane's store and reaches every ext service inside
 * the {@link PolicyDocument}, so ext services never talk to the database and keep the last copy
 * they received when the control plane is away.
 *
 * @param version changes whenever the stored state changes; part of the policy version
 */
public record RuntimeState(
    @JsonProperty("version") long version,
    @JsonProperty("keys") List<RuntimeKey> keys,
    @JsonProperty("subscriptions") List<Subscription> subscriptions) {

  public RuntimeState {
    keys = keys == null ? List.of() : List.copyOf(keys);
    subscriptions = subscriptions == null ? List.of() : List.copyOf(subscriptions);
  }

  public static RuntimeState empty() {
    return new RuntimeState(0, List.of(), List.of());
  }

  /**
   * A live (not revoked) key. Revoked keys are left out of the document altogether.
   *
   * @param prefix the non-secret lookup prefix that starts the key
   * @param sha256 lower-case hex SHA-256 of the whole key
   * @param expiresAtEpochSecond 0 when the key never expires
   */
  public record RuntimeKey(
      @JsonProperty("consumer") String consumer,
      @JsonProperty("prefix") String prefix,
      @JsonProperty("sha256") String sha256,
      @JsonProperty("expires_at") long expiresAtEpochSecond) {}

  /** A consumer's request for a model, and the admin's answer. */
  public record Subscription(
      @JsonProperty("consumer") String consumer,
      @JsonProperty("model") String model,
      @JsonProperty("status") Status status) {}

  public enum Status {
    @JsonProperty("pending") PENDING,
    @JsonProperty("approved") APPROVED,
    @JsonProperty("rejected") REJECTED,
    @JsonProperty("revoked") REVOKED
  }
}
