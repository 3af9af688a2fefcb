package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * {@link ConfigLoader#parse} on arbitrary text: it either returns a {@link LoadedConfig} or throws
 * {@link InvalidConfigException} whose every problem is located (line and column ≥ 0) and worded
 * (non-blank message). Any other exception or error escaping is a bug: {@code tollgate validate}
 * and the config watcher would crash instead of reporting the problem.
 *
 * <p>In {@code mvn verify} this replays the seeds in {@code src/test/resources/dev/tollgate/core/
 * config/ConfigLoaderFuzzTestInputs/parseReturnsConfigOrLocatedProblems/}; with {@code
 * JAZZER_FUZZ=1} (see {@code bench/fuzz.sh}) it fuzzes, starting from them.
 */
class ConfigLoaderFuzzTest {
  private static final String FILE = "fuzz.yaml";
  /** One variable is set, so documents with env: references can load completely. */
  private static final ConfigLoader LOADER =
      new ConfigLoader(name -> "OPENAI_API_KEY".equals(name) ? "sk-fuzz-not-a-key" : null);

  /**
   * The normal suite replays seeds only: Jazzer's bug-detector hooks (SQL, LDAP, deserialization,
   * ...) do not apply to this target and instrumenting every loaded class for them costs seconds.
   * Fuzzing (JAZZER_FUZZ set) keeps them; {@code -Djazzer.hooks=true} forces them here too.
   */
  @BeforeAll
  static void noBugDetectorHooksInRegressionMode() {
    if (System.getenv("JAZZER_FUZZ") == null && System.getProperty("JAZZER_FUZZ") == null
        && System.getProperty("jazzer.hooks") == null) {
      System.setProperty("jazzer.hooks", "false");
    }
  }

  @FuzzTest(maxDuration = "60s")
  @DictionaryEntries({
      "listener:", "control_plane:", "ext_services:", "limits:", "backends:", "models:", "consumers:",
      "address:", "port:", "grpc_port:", "admin_port:", "timeout_ms:", "idle_timeout_ms:",
      "max_request_body_bytes:", "name:", "kind:", "openai", "openai-compatible", "endpoints:", "host:",
      "tls:", "weight:", "credential:", "env:OPENAI_API_KEY", "env:", "targets:", "backend:", "model:",
      "retry:", "retries:", "retry_on:", "api_keys:", "sha256:", "\"*\"", "- ", "[ ", " ]", "{ ", " }",
      "&a", "*a", "<<: ", "!!str", "!!int", "!!binary", "~", "null", "true", "2147483648", "---", "...",
  })
  void parseReturnsConfigOrLocatedProblems(byte[] input) {
    String yaml = new String(input, StandardCharsets.UTF_8);
    if (mentionsFile(yaml)) {
      // file: credentials read the file system (a fuzzer could name /dev/zero or stdin): out of scope.
      return;
    }
    LoadedConfig loaded;
    try {
      loaded = LOADER.parse(yaml, FILE);
    } catch (InvalidConfigException e) {
      assertThat(e.problems()).as("an invalid config names at least one problem").isNotEmpty();
      for (ConfigProblem problem : e.problems()) {
        assertThat(problem.file()).isEqualTo(FILE);
        assertThat(problem.message()).as("message of %s", problem).isNotNull().isNotBlank();
        assertThat(problem.line()).as("line of %s", problem).isGreaterThanOrEqualTo(0);
        assertThat(problem.column()).as("column of %s", problem).isGreaterThanOrEqualTo(0);
        assertThat(problem.path()).as("path of %s", problem).isNotNull();
        assertThat(problem.toString()).isNotBlank();
      }
      return;
    }
    assertThat(loaded).isNotNull();
    assertThat(loaded.config()).isNotNull();
    assertThat(loaded.digest()).matches("[0-9a-f]{64}");
    GatewayConfig config = loaded.config();
    // Defaults are filled in: code that reads a loaded config never sees null.
    assertThat(config.listener()).isNotNull();
    assertThat(config.controlPlane()).isNotNull();
    assertThat(config.extServices()).isNotNull();
    assertThat(config.limits()).isNotNull();
    assertThat(config.backends()).doesNotContainNull();
    assertThat(config.models()).doesNotContainNull();
    assertThat(config.consumers()).doesNotContainNull();
  }

  /** Found by this fuzz test: a backend with a credential but no name crashed validation (NPE). */
  @Test
  void namelessBackendWithCredentialIsAProblemNotACrash() {
    String yaml = """
        backends:
          - kind: openai
            credential: env:OPENAI_API_KEY
            endpoints: [ { host: api.openai.com, port: 443 } ]
        """;
    assertThatThrownBy(() -> LOADER.parse(yaml, FILE))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> {
              assertThat(p.path()).isEqualTo("backends[0].name");
              assertThat(p.line()).isEqualTo(2);
            }));
  }

  /**
   * True when any scalar of the document contains {@code file:} after YAML's own unescaping and
   * aliasing (so {@code "\x66ile:/dev/zero"} counts too). A document that does not compose will
   * not get as far as resolving credentials.
   */
  private static boolean mentionsFile(String yaml) {
    if (yaml.contains("file:")) {
      return true;
    }
    Node root;
    try {
      root = new Yaml().compose(new StringReader(yaml));
    } catch (RuntimeException e) {
      return false;
    }
    return root != null && mentionsFile(root, new IdentityHashMap<>());
  }

  private static boolean mentionsFile(Node node, Map<Node, Boolean> seen) {
    if (seen.put(node, Boolean.TRUE) != null) {
      return false;
    }
    if (node instanceof ScalarNode scalar) {
      return scalar.getValue().contains("file:");
    }
    if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (mentionsFile(tuple.getKeyNode(), seen) || mentionsFile(tuple.getValueNode(), seen)) {
          return true;
        }
      }
    } else if (node instanceof SequenceNode sequence) {
      for (Node item : sequence.getValue()) {
        if (mentionsFile(item, seen)) {
          return true;
        }
      }
    }
    return false;
  }
}
