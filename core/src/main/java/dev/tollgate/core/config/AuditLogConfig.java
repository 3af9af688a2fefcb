package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where the ext services write audit records (one JSON object per line, one per request). Read
 * when the ext services start; a reload does not move the file. A split ext-services process takes
 * {@code --audit-log} instead, because it does not read the config file.
 */
public record AuditLogConfig(
    /* JSON-lines file, appended to; a relative path is relative to the working directory.
       Default: none: each record is logged as one line on the logger "tollgate.audit". */
    @JsonProperty("path") String path) {

  public static final AuditLogConfig DEFAULTS = new AuditLogConfig(null);

  public AuditLogConfig {
    path = path == null || path.isBlank() ? null : path;
  }
}
