package dev.tollgate.proc.response;

/**
 * Headers that carry the provider's token counts on plain (non-stream) responses, and the Envoy
 * dynamic metadata namespace that carries them for access logs on every response.
 */
public final class UsageHeaders {
  private UsageHeaders() {}

  public static final String PROMPT = "x-tollgate-usage-prompt-tokens";
  public static final String COMPLETION = "x-tollgate-usage-completion-tokens";
  public static final String TOTAL = "x-tollgate-usage-total-tokens";
  public static final String CACHED = "x-tollgate-usage-cached-tokens";
  public static final String REASONING = "x-tollgate-usage-reasoning-tokens";

  /**
   * Dynamic metadata namespace, e.g. {@code %DYNAMIC_METADATA(tollgate.usage:total_tokens)%} in an
   * access log format. Keys: prompt_tokens, completion_tokens, total_tokens, cached_tokens,
   * reasoning_tokens, model.
   */
  public static final String METADATA_NAMESPACE = dev.tollgate.core.TollgateHeaders.USAGE_NAMESPACE;
}
