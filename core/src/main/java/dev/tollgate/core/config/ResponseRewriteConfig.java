package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code response:} section of an inspection policy: how the gateway rewrites what the
 * provider answers before the client sees it. A field left out (or {@code null}) takes the default
 * written beside it, so {@code response: {}} (and a request no policy matches) gets the defaults.
 *
 * <p>Field paths are dot-separated JSON keys, e.g. {@code system_fingerprint} or
 * {@code choices.logprobs}; a path that meets an array applies to every element, so the same path
 * works on a plain body ({@code choices[i].logprobs}) and on every stream chunk.
 */
public record ResponseRewriteConfig(
    /* Write the public model name (the one the client asked for) into the `model` field of
       plain bodies and of every stream chunk, instead of the provider's name for the target.
       Default: true. */
    @JsonProperty("public_model_name") Boolean publicModelName,
    /* Add x-tollgate-usage-{prompt,completion,total}-tokens headers to plain (non-stream)
       responses that carry a usage object. Default: true. */
    @JsonProperty("usage_headers") Boolean usageHeaders,
    /* Turn provider error bodies (4xx/5xx) that are not OpenAI-shaped into
       {"error":{message,type,param,code}}, keeping the status. Default: true. */
    @JsonProperty("normalize_errors") Boolean normalizeErrors,
    /* JSON fields removed from response bodies and stream chunks (dot paths). Default: []. */
    @JsonProperty("remove_fields") List<String> removeFields,
    /* JSON fields renamed: path -> new key name (same object). Default: {}. */
    @JsonProperty("rename_fields") Map<String, String> renameFields,
    /* Response headers removed before the client sees them (case-insensitive). Default: []. */
    @JsonProperty("remove_headers") List<String> removeHeaders,
    /* Response headers renamed: old name -> new name (case-insensitive). Default: {}. */
    @JsonProperty("rename_headers") Map<String, String> renameHeaders) {

  /** What a request gets when no policy matches, or the policy has no {@code response:} section. */
  public static final ResponseRewriteConfig DEFAULTS =
      new ResponseRewriteConfig(null, null, null, null, null, null, null);

  public ResponseRewriteConfig {
    publicModelName = publicModelName == null ? Boolean.TRUE : publicModelName;
    usageHeaders = usageHeaders == null ? Boolean.TRUE : usageHeaders;
    normalizeErrors = normalizeErrors == null ? Boolean.TRUE : normalizeErrors;
    removeFields = Lists.copyOf(removeFields);
    renameFields = renameFields == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(renameFields));
    removeHeaders = Lists.copyOf(removeHeaders);
    renameHeaders = renameHeaders == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(renameHeaders));
  }

  /** True when bodies need no field surgery: the fast path for stream chunks. */
  public boolean keepsAllFields() {
    return removeFields.isEmpty() && renameFields.isEmpty();
  }
}
