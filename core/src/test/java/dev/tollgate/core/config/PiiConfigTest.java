package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code pii:} section of a policy: binding, defaults, and located validation problems. */
class PiiConfigTest {
  private static PiiConfig load(String pii) throws InvalidConfigException {
    return ConfigSnippets.policy(pii).pii();
  }

  private static List<ConfigProblem> problems(String pii) {
    return ConfigSnippets.problems(ConfigSnippets.ONE_POLICY + pii);
  }

  @Test
  void anEmptySectionTakesEveryDefault() throws Exception {
    PiiConfig config = load("    pii: {}\n");
    assertThat(config).isEqualTo(PiiConfig.defaults());
    assertThat(config.defaultRegion()).isEqualTo("US");
    assertThat(config.request()).containsEntry("SECRET", "block").containsEntry("EMAIL", "pseudonymize");
    assertThat(config.response()).isEmpty();
  }

  @Test
  void aFullSectionBinds() throws Exception {
    PiiConfig config = load("""
            pii:
              default_region: GB
              phone_regions: [ DE, FR ]
              request: { EMAIL: pseudonymize, CREDIT_CARD: block, EMPLOYEE_ID: mask }
              response: { EMAIL: mask, SECRET: block }
              custom:
                - { entity: EMPLOYEE_ID, pattern: 'EMP-[0-9]{6}', max_length: 10 }
        """);
    assertThat(config.defaultRegion()).isEqualTo("GB");
    assertThat(config.phoneRegions()).containsExactly("DE", "FR");
    assertThat(config.request()).containsExactly(Map.entry("EMAIL", "pseudonymize"),
        Map.entry("CREDIT_CARD", "block"), Map.entry("EMPLOYEE_ID", "mask"));
    assertThat(config.custom()).containsExactly(new PiiPatternConfig("EMPLOYEE_ID", "EMP-[0-9]{6}", 10));
  }

  @Test
  void survivesTheJsonRoundTripOfThePolicyStream() throws Exception {
    // The policy document carries this record as JSON from the control plane to ext-proc.
    PiiConfig config = new PiiConfig("GB", List.of("DE"), Map.of("EMAIL", "mask"), Map.of("SECRET", "block"),
        List.of(new PiiPatternConfig("EMPLOYEE_ID", "EMP-[0-9]{6}", 10)));
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(json.readValue(json.writeValueAsString(config), PiiConfig.class)).isEqualTo(config);
    assertThat(json.readValue("{}", PiiConfig.class)).isEqualTo(PiiConfig.defaults());
  }

  @Test
  void problemsNameTheirPathAndLine() {
    List<ConfigProblem> problems = problems("""
            pii:
              default_region: Narnia
              request: { EMAIL: shred, NAME: mask }
              response: { EMAIL: pseudonymize }
              custom:
                - { entity: EMAIL, pattern: 'x' }
                - { entity: lower, pattern: '(' , max_length: 0 }
                - { entity: ANYTHING, pattern: '.*' }
        """);
    assertThat(problems).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
        "policies[0].pii.default_region",
        "policies[0].pii.request.EMAIL",
        "policies[0].pii.request.NAME",
        "policies[0].pii.response.EMAIL",
        "policies[0].pii.custom[0].entity",
        "policies[0].pii.custom[1].entity",
        "policies[0].pii.custom[1].pattern",
        "policies[0].pii.custom[1].max_length",
        "policies[0].pii.custom[2].pattern");
    assertThat(problems).allSatisfy(p -> assertThat(p.line()).isGreaterThan(9));
    assertThat(problems).filteredOn(p -> p.path().endsWith("custom[0].entity"))
        .singleElement().satisfies(p -> assertThat(p.message()).contains("built-in"));
  }
}
