package dev.tollgate.core.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Maps each YAML path ({@code models[0].targets[1].backend}) to where it starts in the document.
 * Jackson binds the document but forgets positions; semantic checks run on the bound records and
 * look their line numbers up here.
 */
final class YamlLocations {
  private final Map<String, Mark> starts;

  private YamlLocations(Map<String, Mark> starts) {
    this.starts = starts;
  }

  /** Throws SnakeYAML's MarkedYAMLException on a syntax error; the caller reports its mark. */
  static YamlLocations index(String yaml) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Node root = new Yaml(options).compose(new java.io.StringReader(yaml));
    Map<String, Mark> starts = new HashMap<>();
    if (root != null) {
      walk(root, "", starts);
    }
    return new YamlLocations(starts);
  }

  private static void walk(Node node, String path, Map<String, Mark> starts) {
    starts.put(path, node.getStartMark());
    if (node instanceof MappingNode mapping) {
      var seen = new HashSet<String>();
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key) {
          // compose() does not apply LoaderOptions' duplicate-key check (only construct() does),
          // and Jackson would silently keep the last value.
          if (!seen.add(key.getValue())) {
            throw new DuplicateKey(mapping.getStartMark(), key.getValue(), key.getStartMark());
          }
          String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
          walk(tuple.getValueNode(), child, starts);
          // A problem with the key itself (unknown key) points at the key, not its value.
          starts.put(child + "#key", key.getStartMark());
        }
      }
    } else if (node instanceof SequenceNode sequence) {
      List<Node> items = sequence.getValue();
      for (int i = 0; i < items.size(); i++) {
        walk(items.get(i), path + "[" + i + "]", starts);
      }
    }
  }

  /** A key given twice in one mapping: the second one is reported. */
  private static final class DuplicateKey extends MarkedYAMLException {
    DuplicateKey(Mark mapping, String key, Mark duplicate) {
      super("while reading a mapping", mapping, "duplicate key '" + key + "'", duplicate);
    }
  }

  /** True when the text holds no YAML node at all (empty, or only comments). */
  boolean isEmpty() {
    return starts.isEmpty();
  }

  /** The closest known position: the path itself, else its nearest ancestor, else line 0. */
  Mark find(String path) {
    String current = path;
    while (true) {
      Mark mark = starts.get(current);
      if (mark != null) {
        return mark;
      }
      if (current.isEmpty()) {
        return null;
      }
      int cut = Math.max(current.lastIndexOf('.'), current.lastIndexOf('['));
      current = cut < 0 ? "" : current.substring(0, cut);
    }
  }
}
