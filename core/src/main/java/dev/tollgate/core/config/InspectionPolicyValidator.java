package dev.tollgate.core.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Checks the {@code policies:} list: names, match lists, and each section through its owner's
 * validator. Findings carry YAML paths, so the loader reports them with file:line:column.
 */
public final class InspectionPolicyValidator {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  /** What a glob may contain: printable, no white space; '*' and '?' are the wildcards. */
  private static final Pattern GLOB = Pattern.compile("[\\x21-\\x7e]{1,256}");

  private InspectionPolicyValidator() {}

  public static void validate(List<InspectionPolicyConfig> policies, BiConsumer<String, String> problem) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < policies.size(); i++) {
      String at = "policies[" + i + "]";
      InspectionPolicyConfig policy = policies.get(i);
      if (policy == null) {
        problem.accept(at, "empty policy entry");
        continue;
      }
      if (policy.name() == null || !NAME.matcher(policy.name()).matches()) {
        problem.accept(at + ".name",
            "required: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
      } else if (!names.add(policy.name())) {
        problem.accept(at + ".name", "duplicate policy name '" + policy.name() + "'");
      }
      PolicyMatchConfig match = policy.match();
      globs(at + ".match.models", match.models(), problem);
      globs(at + ".match.consumers", match.consumers(), problem);
      globs(at + ".match.teams", match.teams(), problem);
      globs(at + ".match.endpoints", match.endpoints(), problem);
      for (int e = 0; e < match.endpoints().size(); e++) {
        String endpoint = match.endpoints().get(e);
        if (endpoint != null && !endpoint.startsWith("/") && !endpoint.startsWith("*")) {
          problem.accept(at + ".match.endpoints[" + e + "]",
              "a request path such as /v1/chat/completions (globs allowed), got '" + endpoint + "'");
        }
      }
      PromptGuardConfigValidator.validate(at + ".prompt_guard", policy.promptGuard(), problem);
      PiiConfigValidator.validate(at + ".pii", policy.pii(), problem);
      ResponseRewriteConfigValidator.validate(at + ".response", policy.response(), problem);
    }
  }

  private static void globs(String at, List<String> globs, BiConsumer<String, String> problem) {
    for (int g = 0; g < globs.size(); g++) {
      String glob = globs.get(g);
      if (glob == null || !GLOB.matcher(glob).matches()) {
        problem.accept(at + "[" + g + "]", "a name or glob: printable characters without spaces, 1 to 256");
      }
    }
  }
}
