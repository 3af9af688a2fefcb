package dev.tollgate.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import dev.tollgate.core.config.ConfigLoader;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** listener.access_log becomes a JSON access log on the listener's connection manager. */
class ListenerAccessLogTest {
  private static List<AccessLog> accessLogs(String listenerYaml) throws Exception {
    var config = new ConfigLoader(n -> null).parse(listenerYaml + "consumers: []\n", "t.yaml").config();
    Listener listener = new ListenerFactory().listener(config, FilterSet.ALL);
    return listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class)
        .getAccessLogList();
  }

  /** The default: Envoy's stdout logger, which writes to the descriptor Envoy was started with. */
  private static SubstitutionFormatString stdout(AccessLog log) throws Exception {
    assertThat(log.getName()).isEqualTo("envoy.access_loggers.stdout");
    return log.getTypedConfig().unpack(StdoutAccessLog.class).getLogFormat();
  }

  private static Map<String, String> format(SubstitutionFormatString format) {
    Struct json = format.getJsonFormat();
    return json.getFieldsMap().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getStringValue()));
  }

  @Test
  void byDefaultJsonLinesGoToEnvoysStandardOutput() throws Exception {
    List<AccessLog> logs = accessLogs("");
    assertThat(logs).hasSize(1);
    assertThat(stdout(logs.get(0)).hasJsonFormat()).isTrue();
    assertThat(stdout(accessLogs("listener: { access_log: { path: /dev/stdout } }\n").get(0)).hasJsonFormat()).isTrue();
    AccessLog stderr = accessLogs("listener: { access_log: { path: /dev/stderr } }\n").get(0);
    assertThat(stderr.getName()).isEqualTo("envoy.access_loggers.stderr");
    assertThat(stderr.getTypedConfig().unpack(StderrAccessLog.class).getLogFormat()).isEqualTo(stdout(logs.get(0)));
  }

  @Test
  void eachLineNamesTheCallerFromExtAuthzAndTheTokensFromExtProc() throws Exception {
    Map<String, String> format = format(stdout(accessLogs("").get(0)));
    assertThat(format).containsEntry("start_time", "%START_TIME%")
        .containsEntry("method", "%REQ(:METHOD)%")
        .containsEntry("path", "%PATH(NQ)%")
        .containsEntry("response_code", "%RESPONSE_CODE%")
        .containsEntry("response_flags", "%RESPONSE_FLAGS%")
        .containsEntry("duration_ms", "%DURATION%")
        .containsEntry("upstream_cluster", "%UPSTREAM_CLUSTER%")
        .containsEntry("upstream_host", "%UPSTREAM_HOST%")
        .containsEntry("request_id", "%RESP(x-tollgate-request-id)%");
    for (String key : List.of("consumer", "team", "scopes", "plan", "spiffe_id")) {
      assertThat(format).containsEntry(key, "%DYNAMIC_METADATA(envoy.filters.http.ext_authz:" + key + ")%");
    }
    assertThat(format).containsEntry("credential_kind", "%DYNAMIC_METADATA(envoy.filters.http.ext_authz:credential)%");
    for (String key : List.of("prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens",
        "reasoning_tokens", "model")) {
      assertThat(format).containsEntry(key, "%DYNAMIC_METADATA(tollgate.usage:" + key + ")%");
    }
  }

  @Test
  void noCredentialHeaderQueryStringOrBodyIsLogged() throws Exception {
    String operators = String.join(" ", format(stdout(accessLogs("").get(0))).values()).toUpperCase(Locale.ROOT);
    assertThat(operators).doesNotContain("AUTHORIZATION").doesNotContain("COOKIE").doesNotContain("API-KEY")
        .doesNotContain("(:PATH)").doesNotContain("BODY");
    // Every header the line reads is named here: nothing else of the request or response.
    assertThat(operators.split("%")).filteredOn(op -> op.startsWith("REQ(") || op.startsWith("RESP("))
        .containsExactlyInAnyOrder("REQ(:METHOD)", "RESP(X-TOLLGATE-REQUEST-ID)");
  }

  @Test
  void aFileOfTheOperatorsChoosing() throws Exception {
    AccessLog log = accessLogs("listener: { access_log: { path: /var/log/tollgate/access.log } }\n").get(0);
    assertThat(log.getName()).isEqualTo("envoy.access_loggers.file");
    FileAccessLog file = log.getTypedConfig().unpack(FileAccessLog.class);
    assertThat(file.getPath()).isEqualTo("/var/log/tollgate/access.log");
    assertThat(file.getLogFormat()).isEqualTo(stdout(accessLogs("").get(0)));
  }

  @Test
  void switchedOffThereIsNoAccessLog() throws Exception {
    assertThat(accessLogs("listener: { access_log: { enabled: false } }\n")).isEmpty();
  }

  @Test
  void theOtherFilterSetsKeepTheAccessLog() throws Exception {
    var config = new ConfigLoader(n -> null).parse("consumers: []\n", "t.yaml").config();
    for (FilterSet filters : FilterSet.values()) {
      Listener listener = new ListenerFactory().listener(config, filters);
      assertThat(listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class)
          .getAccessLogCount()).as(filters.name()).isEqualTo(1);
    }
  }
}
