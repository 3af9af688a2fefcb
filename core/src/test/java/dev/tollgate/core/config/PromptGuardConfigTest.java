package dev.tollgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code prompt_guard:} section of a policy: binding, defaults, and located validation problems. */
class PromptGuardConfigTest {
  private static PromptGuardConfig load(String section) throws InvalidConfigException {
    return ConfigSnippets.policy(section).promptGuard();
  }

  private static List<ConfigProblem> problems(String section) {
    return ConfigSnippets.problems(ConfigSnippets.ONE_POLICY + section);
  }

  @Test
  void anEmptySectionTakesEveryDefault() throws Exception {
    PromptGuardConfig config = load("    prompt_guard: {}\n");
    assertThat(config).isEqualTo(PromptGuardConfig.defaults());
    assertThat(config.action()).isEqualTo("block");
    assertThat(config.threshold()).isEqualTo(0.5);
    assertThat(config.detector()).isTrue();
    assertThat(config.roles()).containsExactly("user", "tool", "function");
    assertThat(config.denyPhrases()).isEmpty();
    assertThat(config.maxPromptTokens()).isNull();
  }

  @Test
  void aFullSectionBinds() throws Exception {
    PromptGuardConfig config = load("""
            prompt_guard:
              action: flag
              threshold: 0.7
              detector: false
              roles: [ user, system ]
              deny_phrases: [ "project falcon" ]
              deny_patterns: [ '\\bcve-\\d{4}-\\d+' ]
              allow_phrases: [ "red-team drill" ]
              allow_patterns: [ '^\\[qa\\]' ]
              max_prompt_tokens: 8000
              max_prompt_chars: 40000
              max_messages: 50
        """);
    assertThat(config).isEqualTo(new PromptGuardConfig("flag", 0.7, false, List.of("user", "system"),
        List.of("project falcon"), List.of("\\bcve-\\d{4}-\\d+"), List.of("red-team drill"),
        List.of("^\\[qa\\]"), 8000, 40000, 50));
  }

  @Test
  void problemsNameTheirPathAndLine() {
    List<ConfigProblem> problems = problems("""
            prompt_guard:
              action: deny
              threshold: 1.5
              roles: [ user, robot ]
              deny_phrases: [ "  " ]
              deny_patterns: [ '(unclosed', 'a*' ]
              allow_patterns: [ '' ]
              max_prompt_tokens: 0
              max_prompt_chars: -1
              max_messages: 0
        """);
    assertThat(problems).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
        "policies[0].prompt_guard.action",
        "policies[0].prompt_guard.threshold",
        "policies[0].prompt_guard.roles[1]",
        "policies[0].prompt_guard.deny_phrases[0]",
        "policies[0].prompt_guard.deny_patterns[0]",
        "policies[0].prompt_guard.deny_patterns[1]",
        "policies[0].prompt_guard.allow_patterns[0]",
        "policies[0].prompt_guard.max_prompt_tokens",
        "policies[0].prompt_guard.max_prompt_chars",
        "policies[0].prompt_guard.max_messages");
    assertThat(problems).allSatisfy(p -> assertThat(p.line()).isGreaterThan(0));
    assertThat(problems).filteredOn(p -> p.path().endsWith("deny_patterns[0]"))
        .singleElement().satisfies(p -> assertThat(p.message()).startsWith("not a valid regular expression"));
    assertThat(problems).filteredOn(p -> p.path().endsWith("deny_patterns[1]"))
        .singleElement().satisfies(p -> assertThat(p.message()).contains("every prompt"));
  }

  @Test
  void unknownKeysAreRefused() {
    assertThat(problems("    prompt_guard: { treshold: 0.4 }\n"))
        .extracting(ConfigProblem::message).anySatisfy(m -> assertThat(m).contains("treshold"));
  }
}
