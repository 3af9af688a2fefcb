package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A Redis server shared by every gateway replica, for state that must be counted once across
 * them (today the request limits). Absent: each ext-services process counts on its own.
 */
public record RedisConfig(
    /* redis://HOST:PORT[/DB] (no password in the URL). Required when the section is given. */
    @JsonProperty("url") String url,
    /* Longest wait for Redis per decision (connect or answer), in ms. Default: 50. 1..5000. */
    @JsonProperty("timeout_ms") Integer timeoutMs,
    /* What a decision does when Redis fails or is slower than timeout_ms: fail_open (allow,
       unlimited) or fail_closed (refuse with 503). Default: fail_open. */
    @JsonProperty("on_error") String onError,
    /* Prefix of every key Tollgate writes, so several gateways can share one Redis. Default: "tollgate:". */
    @JsonProperty("key_prefix") String keyPrefix) {

  public static final int DEFAULT_TIMEOUT_MS = 50;
  public static final String FAIL_OPEN = "fail_open";
  public static final String FAIL_CLOSED = "fail_closed";
  public static final String DEFAULT_KEY_PREFIX = "tollgate:";

  RedisConfig withDefaults() {
    return new RedisConfig(url, timeoutMs == null ? DEFAULT_TIMEOUT_MS : timeoutMs,
        onError == null ? FAIL_OPEN : onError, keyPrefix == null ? DEFAULT_KEY_PREFIX : keyPrefix);
  }

  public boolean failClosed() {
    return FAIL_CLOSED.equals(onError);
  }
}
