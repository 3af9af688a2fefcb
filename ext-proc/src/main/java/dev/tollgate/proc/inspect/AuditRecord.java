package dev.tollgate.proc.inspect;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One request's audit record: who, what, what the gateway decided and why, how much. Never a key,
 * never a PII value; prompt texts only when the policy says {@code audit.include_prompt}, and then
 * as the provider saw them (after redaction).
 *
 * @param time ISO-8601 UTC time the request arrived
 * @param decision {@code allowed} or {@code blocked}
 * @param reasonCode why it was blocked ({@code prompt_blocked}, {@code pii_blocked}, ...), or null
 * @param status HTTP status the client got (0 if the client went away first)
 * @param backend the backend that answered, or null when refused before routing
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditRecord(
    @JsonProperty("request_id") String requestId,
    @JsonProperty("time") String time,
    @JsonProperty("consumer") String consumer,
    @JsonProperty("team") String team,
    @JsonProperty("endpoint") String endpoint,
    @JsonProperty("model") String model,
    @JsonProperty("upstream_model") String upstreamModel,
    @JsonProperty("backend") String backend,
    @JsonProperty("stream") boolean stream,
    @JsonProperty("decision") String decision,
    @JsonProperty("reason_code") String reasonCode,
    @JsonProperty("status") int status,
    @JsonProperty("latency_ms") double latencyMs,
    @JsonProperty("tokens") Tokens tokens,
    @JsonProperty("guard") Guard guard,
    @JsonProperty("pii") Pii pii,
    @JsonProperty("policy") Policy policy,
    @JsonProperty("prompt") List<PromptEntry> prompt) {

  public static final String ALLOWED = "allowed";
  public static final String BLOCKED = "blocked";

  /**
   * @param promptCounted the gateway's own count (jtokkit), always present when inspected
   * @param prompt the provider's {@code usage.prompt_tokens}, when it reported one
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tokens(
      @JsonProperty("prompt_counted") Integer promptCounted,
      @JsonProperty("prompt") Integer prompt,
      @JsonProperty("completion") Integer completion,
      @JsonProperty("cached") Integer cached,
      @JsonProperty("reasoning") Integer reasoning,
      @JsonProperty("total") Integer total) {}

  /** @param reasons named reasons (never prompt text) */
  public record Guard(
      @JsonProperty("action") String action,
      @JsonProperty("reason_code") String reasonCode,
      @JsonProperty("score") double score,
      @JsonProperty("reasons") List<String> reasons) {}

  /** Counts by entity type; never values. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Pii(
      @JsonProperty("request") Map<String, Integer> request,
      @JsonProperty("blocked_types") List<String> blockedTypes,
      @JsonProperty("response") Map<String, Integer> response) {}

  public record Policy(@JsonProperty("name") String name, @JsonProperty("version") String version) {}

  public record PromptEntry(@JsonProperty("path") String path, @JsonProperty("role") String role,
      @JsonProperty("text") String text) {}
}
