package dev.tollgate.proc.inspect;

import dev.tollgate.core.config.InspectionPolicyConfig;
import dev.tollgate.core.config.PolicyMatchConfig;
import dev.tollgate.core.config.ResponseRewriteConfig;
import dev.tollgate.core.policy.ModelPattern;
import dev.tollgate.inspect.guard.PromptGuard;
import dev.tollgate.inspect.pii.PiiEngine;
import java.util.List;

/**
 * One inspection policy ready for requests: globs compiled, guard and PII engine built. Built once
 * per policy version and shared by every request it applies to.
 *
 * @param guard null when the policy has no {@code prompt_guard}
 * @param pii null when the policy has no {@code pii}
 * @param response null when the policy has no {@code response}
 */
public record CompiledPolicy(String name, Matcher matcher, PromptGuard guard, PiiEngine pii,
    ResponseRewriteConfig response, boolean includePrompt) {

  static CompiledPolicy compile(InspectionPolicyConfig config) {
    return new CompiledPolicy(config.name(), Matcher.of(config.match()),
        config.promptGuard() == null ? null : PromptGuard.compile(config.promptGuard()),
        config.pii() == null ? null : PiiEngine.compile(config.pii()),
        config.response(), config.audit().includePrompt());
  }

  /** Builds and runs a default guard and PII engine once: loads the classifier, warms the regexes. */
  static void warmUp() {
    PromptGuard guard = PromptGuard.compile(null);
    guard.inspect(dev.tollgate.inspect.guard.PromptView.of(
        List.of(new dev.tollgate.inspect.PromptText("warm-up", "user", "Hello, how are you today?")), 8));
    PiiEngine.compile(null).redactRequest("mail a@example.com", new dev.tollgate.inspect.pii.Pseudonyms());
  }

  /** The request facts a policy matches on. Team is "" for consumers without one. */
  public record Subject(String model, String consumer, String team, String endpoint) {}

  /** Every non-empty glob list must contain a glob that fits; empty lists fit anything. */
  public record Matcher(List<ModelPattern> models, List<ModelPattern> consumers, List<ModelPattern> teams,
      List<ModelPattern> endpoints) {
    static Matcher of(PolicyMatchConfig match) {
      return new Matcher(globs(match.models()), globs(match.consumers()), globs(match.teams()),
          globs(match.endpoints()));
    }

    boolean matches(Subject subject) {
      return fits(models, subject.model()) && fits(consumers, subject.consumer())
          && fits(teams, subject.team()) && fits(endpoints, subject.endpoint());
    }

    private static boolean fits(List<ModelPattern> patterns, String value) {
      if (patterns.isEmpty()) {
        return true;
      }
      if (value == null || value.isEmpty()) {
        return false;
      }
      for (ModelPattern pattern : patterns) {
        if (pattern.matches(value)) {
          return true;
        }
      }
      return false;
    }

    private static List<ModelPattern> globs(List<String> globs) {
      return globs.stream().map(ModelPattern::of).toList();
    }
  }
}
