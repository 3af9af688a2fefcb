package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One entry of the top-level {@code policies:} list: which requests it applies to and how they
 * are inspected. The first policy whose {@code match} fits a request applies; a request no policy
 * matches is not inspected. A section left out is off for this policy.
 */
public record InspectionPolicyConfig(
    /* Name, shown in audit records and metrics. Required; unique; lower-case letters, digits,
       '.', '_' or '-'. */
    @JsonProperty("name") String name,
    /* Which requests this policy applies to. Default: every request. */
    @JsonProperty("match") PolicyMatchConfig match,
    /* Prompt-injection guard and prompt limits. Default: none (no guard). */
    @JsonProperty("prompt_guard") PromptGuardConfig promptGuard,
    /* PII detection and redaction on requests and responses. Default: none (no PII handling). */
    @JsonProperty("pii") PiiConfig pii,
    /* Response rewriting. Default: none (responses pass as the provider sent them). */
    @JsonProperty("response") ResponseRewriteConfig response,
    /* What the audit record of a request under this policy carries. Default: no prompt text. */
    @JsonProperty("audit") AuditPolicyConfig audit) {

  public InspectionPolicyConfig {
    match = match == null ? PolicyMatchConfig.ANY : match;
    audit = audit == null ? AuditPolicyConfig.DEFAULTS : audit;
  }
}
