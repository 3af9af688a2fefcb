package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

/**
 * Loads a config made of a fixed head plus the section a test is about, for the tests of one
 * config section each. Problems' line numbers count the head's lines: change it and they move.
 */
final class ConfigSnippets {
  private static final ConfigLoader LOADER = new ConfigLoader(name -> null);

  /** One backend and one model: the least a config needs. */
  static final String MODELS = """
      backends:
        - name: local
          kind: openai-compatible
          endpoints: [ { host: 127.0.0.1, port: 8000 } ]
      models:
        - name: m
          targets: [ { backend: local } ]
      """;

  /** {@link #MODELS} and one policy named p; a section of it follows, indented four spaces. */
  static final String ONE_POLICY = MODELS + """
      policies:
        - name: p
      """;

  private ConfigSnippets() {}

  static GatewayConfig load(String yaml) throws InvalidConfigException {
    return LOADER.parse(yaml, "t.yaml").config();
  }

  /** The one policy of {@link #ONE_POLICY} followed by {@code section}. */
  static InspectionPolicyConfig policy(String section) throws InvalidConfigException {
    return load(ONE_POLICY + section).policies().get(0);
  }

  static List<ConfigProblem> problems(String yaml) {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> LOADER.parse(yaml, "t.yaml"));
    assertThat(e).as("expected the config to be refused").isNotNull();
    return e.problems();
  }
}
