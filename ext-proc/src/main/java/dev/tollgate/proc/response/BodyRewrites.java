package dev.tollgate.proc.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.config.ResponseRewriteConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON side of a {@link ResponseRewriteConfig}: the public model name, and field removal and
 * renaming by dot path (a path that meets an array applies to each element).
 */
final class BodyRewrites {
  private record Rename(String[] path, String to) {}

  private final String publicModel;
  private final List<String[]> removals = new ArrayList<>();
  private final List<Rename> renames = new ArrayList<>();
  /** The provider's own model name, as last seen before the rewrite; for the audit record. */
  private String providerModel;

  BodyRewrites(ResponseRewriteConfig config, String publicModel) {
    this.publicModel = config.publicModelName() ? publicModel : null;
    config.removeFields().forEach(path -> removals.add(path.split("\\.")));
    for (Map.Entry<String, String> rename : config.renameFields().entrySet()) {
      renames.add(new Rename(rename.getKey().split("\\."), rename.getValue()));
    }
  }

  /** @return true when the body changed */
  boolean apply(ObjectNode body) {
    boolean changed = false;
    JsonNode model = body.get("model");
    if (model != null && model.isTextual()) {
      providerModel = model.textValue();
    }
    if (publicModel != null) {
      if (model != null && model.isTextual() && !model.textValue().equals(publicModel)) {
        body.put("model", publicModel);
        changed = true;
      }
    }
    for (String[] path : removals) {
      changed |= walk(body, path, 0, null);
    }
    for (Rename rename : renames) {
      changed |= walk(body, rename.path(), 0, rename.to());
    }
    return changed;
  }

  String providerModel() {
    return providerModel;
  }

  /** Removes (to == null) or renames the last key of the path. */
  private static boolean walk(JsonNode node, String[] path, int at, String to) {
    if (node.isArray()) {
      boolean changed = false;
      for (JsonNode element : node) {
        changed |= walk(element, path, at, to);
      }
      return changed;
    }
    if (!(node instanceof ObjectNode object)) {
      return false;
    }
    String key = path[at];
    if (at == path.length - 1) {
      if (!object.has(key)) {
        return false;
      }
      JsonNode value = object.remove(key);
      if (to != null) {
        object.set(to, value);
      }
      return true;
    }
    JsonNode next = object.get(key);
    return next != null && walk(next, path, at + 1, to);
  }
}
