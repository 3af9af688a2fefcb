package dev.tollgate.xds.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tollgate.xds.server.ConfigFileWatcher;
import dev.tollgate.xds.server.NodeStatusTracker;
import java.util.List;
import java.util.Map;

/** The JSON body of {@code GET /status}. Holds versions and problems, never config content. */
record StatusView(
    @JsonProperty("version") String version,
    @JsonProperty("last_reload_error") ReloadErrorView lastReloadError,
    @JsonProperty("nacks_total") long nacksTotal,
    @JsonProperty("nodes") List<NodeView> nodes) {

  record ReloadErrorView(@JsonProperty("at") String at, @JsonProperty("problems") List<String> problems) {
    static ReloadErrorView of(ConfigFileWatcher.ReloadError error) {
      return error == null ? null : new ReloadErrorView(error.at().toString(), error.problems());
    }
  }

  record NackView(
      @JsonProperty("type") String type,
      @JsonProperty("kept_version") String keptVersion,
      @JsonProperty("detail") String detail,
      @JsonProperty("at") String at) {}

  record NodeView(
      @JsonProperty("id") String id,
      @JsonProperty("applied_version") String appliedVersion,
      @JsonProperty("applied_by_type") Map<String, String> appliedByType,
      @JsonProperty("nacks") List<NackView> nacks,
      @JsonProperty("last_seen") String lastSeen) {
    static NodeView of(NodeStatusTracker.NodeState node) {
      return new NodeView(node.id(), node.appliedVersion(), node.appliedByType(),
          node.nacks().values().stream()
              .map(n -> new NackView(n.type(), n.keptVersion(), n.detail(), n.at().toString())).toList(),
          node.lastSeen().toString());
    }
  }
}
