package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;

/**
 * Where the control plane keeps its runtime state (API keys created at run time, subscriptions,
 * the decision log). Read at start only, like {@link ControlPlaneConfig}.
 */
public record StoreConfig(
    /* "h2" (embedded file database, no server needed) or "postgresql". Default: h2. */
    @JsonProperty("kind") String kind,
    /* h2 only: the database file, without H2's ".mv.db" suffix; relative to the config file's
       folder. Default: tollgate-state/tollgate next to the config file. */
    @JsonProperty("path") String path,
    /* postgresql only, required there: jdbc:postgresql://HOST:PORT/DATABASE. Default: none. */
    @JsonProperty("url") String url,
    /* postgresql only: the database user. Default: none (the driver's default). */
    @JsonProperty("user") String user,
    /* postgresql only: env:VAR or file:PATH reference to the password; never the password.
       Default: none. */
    @JsonProperty("password") String password,
    /* How often a control plane looks for changes made by other replicas. Default: 1000. */
    @JsonProperty("poll_interval_ms") Integer pollIntervalMs) {

  public static final String H2 = "h2";
  public static final String POSTGRESQL = "postgresql";
  public static final String DEFAULT_PATH = "tollgate-state/tollgate";
  public static final int DEFAULT_POLL_INTERVAL_MS = 1000;

  public static StoreConfig defaults() {
    return new StoreConfig(null, null, null, null, null, null).withDefaults();
  }

  StoreConfig withDefaults() {
    return new StoreConfig(kind == null ? H2 : kind, path == null && (kind == null || H2.equals(kind)) ? DEFAULT_PATH : path,
        url, user, password, pollIntervalMs == null ? DEFAULT_POLL_INTERVAL_MS : pollIntervalMs);
  }

  public boolean isPostgresql() {
    return POSTGRESQL.equals(kind);
  }

  /** The H2 database file for a config read from {@code configFile}. */
  public Path h2File(Path configFile) {
    Path base = configFile.toAbsolutePath().getParent();
    return base.resolve(path).normalize();
  }

  /** Never shows the password reference's target, only whether one is set. */
  @Override
  public String toString() {
    return "StoreConfig[kind=" + kind + ", path=" + path + ", url=" + url + ", user=" + user
        + ", password=" + (password == null ? "none" : "(reference)") + ", poll_interval_ms=" + pollIntervalMs + "]";
  }
}
