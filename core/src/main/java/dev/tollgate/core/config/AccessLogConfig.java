package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Envoy's access log for the client-facing listener: one JSON object per request, with the
 * caller's identity (ext_authz) and the provider's token counts (ext_proc) read from Envoy's
 * dynamic metadata. Envoy opens the file, so the path is on Envoy's machine, not Tollgate's.
 */
public record AccessLogConfig(
    /* Write the access log. Default: true. */
    @JsonProperty("enabled") Boolean enabled,
    /* Absolute path Envoy appends JSON lines to. Default: /dev/stdout (Envoy's standard output). */
    @JsonProperty("path") String path) {

  public static final String DEFAULT_PATH = "/dev/stdout";
  public static final AccessLogConfig DEFAULTS = new AccessLogConfig(true, DEFAULT_PATH);

  AccessLogConfig withDefaults() {
    return new AccessLogConfig(enabled == null || enabled, path == null ? DEFAULT_PATH : path);
  }
}
