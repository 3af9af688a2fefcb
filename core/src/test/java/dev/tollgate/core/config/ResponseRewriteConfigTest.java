package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code response:} section of a policy: binding, defaults, and located validation problems. */
class ResponseRewriteConfigTest {
  private static ResponseRewriteConfig load(String section) throws InvalidConfigException {
    return ConfigSnippets.policy(section).response();
  }

  @Test
  void anEmptySectionIsTheDefaults() throws Exception {
    ResponseRewriteConfig config = load("    response: {}\n");
    assertThat(config).isEqualTo(ResponseRewriteConfig.DEFAULTS);
    assertThat(config.publicModelName()).isTrue();
    assertThat(config.usageHeaders()).isTrue();
    assertThat(config.normalizeErrors()).isTrue();
    assertThat(config.keepsAllFields()).isTrue();
  }

  @Test
  void aFullSectionBinds() throws Exception {
    ResponseRewriteConfig config = load("""
            response:
              public_model_name: false
              usage_headers: false
              normalize_errors: false
              remove_fields: [ system_fingerprint, choices.logprobs ]
              rename_fields: { service_tier: tier }
              remove_headers: [ openai-organization ]
              rename_headers: { x-request-id: x-provider-request-id }
        """);
    assertThat(config.publicModelName()).isFalse();
    assertThat(config.usageHeaders()).isFalse();
    assertThat(config.normalizeErrors()).isFalse();
    assertThat(config.removeFields()).containsExactly("system_fingerprint", "choices.logprobs");
    assertThat(config.renameFields()).containsExactly(Map.entry("service_tier", "tier"));
    assertThat(config.removeHeaders()).containsExactly("openai-organization");
    assertThat(config.renameHeaders()).containsExactly(Map.entry("x-request-id", "x-provider-request-id"));
  }

  @Test
  void problemsNameTheirPathAndLine() {
    InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigSnippets.load(ConfigSnippets.ONE_POLICY + """
            response:
              remove_fields: [ "", "choices..text" ]
              rename_fields: { service_tier: "a.b" }
              remove_headers: [ content-length, "bad header" ]
              rename_headers: { x-tollgate-request-id: x-id }
              wat: 1
        """));
    assertThat(e).isNotNull();
    List<ConfigProblem> problems = e.problems();
    assertThat(problems).extracting(ConfigProblem::path).contains(
        "policies[0].response.remove_fields[0]",
        "policies[0].response.remove_fields[1]",
        "policies[0].response.rename_fields.service_tier",
        "policies[0].response.remove_headers[0]",
        "policies[0].response.remove_headers[1]",
        "policies[0].response.rename_headers.x-tollgate-request-id");
    assertThat(problems).allSatisfy(p -> assertThat(p.line()).isGreaterThan(9));
    assertThat(problems).filteredOn(p -> p.path().endsWith("remove_headers[0]")).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("set by the gateway"));
  }
}
