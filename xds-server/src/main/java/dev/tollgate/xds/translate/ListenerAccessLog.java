package dev.tollgate.xds.translate;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.config.AccessLogConfig;
import dev.tollgate.core.identity.CallerIdentity;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The listener's access log: one JSON object per request, written by Envoy when the request ends.
 * Who called comes from ext_authz's dynamic metadata and the provider's token counts from
 * ext_proc's, so a line ties a request to its consumer and usage without Tollgate writing it.
 * Only names, counts and request facts: no header that carries a credential, no query string
 * (a key pasted into a URL would land there), no body.
 */
final class ListenerAccessLog {
  /**
   * The keys ext_proc's response side sets under {@link TollgateHeaders#USAGE_NAMESPACE} at the
   * end of a response (ResponseProcessing#metadata); AccessLogThroughEnvoyTest fails if they drift.
   */
  private static final String[] USAGE_KEYS =
      {"prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "reasoning_tokens", "model"};

  private ListenerAccessLog() {}

  static Optional<AccessLog> of(AccessLogConfig config) {
    if (!config.enabled()) {
      return Optional.empty();
    }
    SubstitutionFormatString format = SubstitutionFormatString.newBuilder().setJsonFormat(jsonFormat()).build();
    AccessLog.Builder log = AccessLog.newBuilder();
    // Envoy's file logger would open /dev/stdout anew: that fails when stdout is a socket (systemd's
    // journal), and over a file redirected with '>' its appends and Envoy's own log lines overwrite
    // each other. The stream loggers write to the descriptor Envoy already has.
    switch (config.path()) {
      case "/dev/stdout" -> log.setName("envoy.access_loggers.stdout")
          .setTypedConfig(Protos.any(StdoutAccessLog.newBuilder().setLogFormat(format).build()));
      case "/dev/stderr" -> log.setName("envoy.access_loggers.stderr")
          .setTypedConfig(Protos.any(StderrAccessLog.newBuilder().setLogFormat(format).build()));
      default -> log.setName("envoy.access_loggers.file")
          .setTypedConfig(Protos.any(FileAccessLog.newBuilder().setPath(config.path()).setLogFormat(format).build()));
    }
    return Optional.of(log.build());
  }

  /** Log field → Envoy command operator. A value Envoy does not have is written as null. */
  static Map<String, String> fields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("start_time", "%START_TIME%");
    fields.put("method", "%REQ(:METHOD)%");
    fields.put("path", "%PATH(NQ)%");
    fields.put("protocol", "%PROTOCOL%");
    fields.put("response_code", "%RESPONSE_CODE%");
    fields.put("response_flags", "%RESPONSE_FLAGS%");
    fields.put("response_code_details", "%RESPONSE_CODE_DETAILS%");
    fields.put("duration_ms", "%DURATION%");
    fields.put("bytes_received", "%BYTES_RECEIVED%");
    fields.put("bytes_sent", "%BYTES_SENT%");
    fields.put("upstream_cluster", "%UPSTREAM_CLUSTER%");
    fields.put("upstream_host", "%UPSTREAM_HOST%");
    // The response's copy: ext_authz puts it on its 401/403 replies as well as on requests it lets in.
    fields.put("request_id", "%RESP(" + TollgateHeaders.REQUEST_ID + ")%");
    for (String key : CallerIdentity.KEYS) {
      // "credential" holds the kind of credential (api_key, jwt, spiffe), never the credential.
      String field = key.equals(CallerIdentity.CREDENTIAL) ? "credential_kind" : key;
      fields.put(field, metadata(TollgateHeaders.AUTHZ_NAMESPACE, key));
    }
    for (String key : USAGE_KEYS) {
      fields.put(key, metadata(TollgateHeaders.USAGE_NAMESPACE, key));
    }
    return fields;
  }

  private static String metadata(String namespace, String key) {
    return "%DYNAMIC_METADATA(" + namespace + ":" + key + ")%";
  }

  private static Struct jsonFormat() {
    Struct.Builder format = Struct.newBuilder();
    fields().forEach((field, operator) -> format.putFields(field, Value.newBuilder().setStringValue(operator).build()));
    return format.build();
  }
}
