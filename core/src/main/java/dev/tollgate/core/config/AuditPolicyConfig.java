package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code audit:} section of an inspection policy. */
public record AuditPolicyConfig(
    /* Put the prompt texts into the audit record, with every value any PII detector finds masked
       (also without a pii section, so an audit log never holds a PII value).
       Default: false: records carry counts, verdicts and reasons, never the prompt. */
    @JsonProperty("include_prompt") Boolean includePrompt) {

  public static final AuditPolicyConfig DEFAULTS = new AuditPolicyConfig(false);

  public AuditPolicyConfig {
    includePrompt = includePrompt != null && includePrompt;
  }
}
