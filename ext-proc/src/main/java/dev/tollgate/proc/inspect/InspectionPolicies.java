package dev.tollgate.proc.inspect;

import dev.tollgate.core.config.InspectionPolicyConfig;
import dev.tollgate.core.policy.PolicySnapshot;
import java.util.List;
import java.util.Optional;

/**
 * The inspection policies of the current policy version, compiled once: guards hold regexes and a
 * classifier, PII engines hold detectors, and none of that may be rebuilt per request. A new
 * version is compiled once, by the background precompiler ({@link RequestInspector#precompile}) or
 * by the first request that sees it, whichever comes first; the other waits for that result
 * instead of compiling again. A request keeps the compiled set it started with.
 */
public final class InspectionPolicies {
  private record Compiled(String version, List<InspectionPolicyConfig> source, List<CompiledPolicy> policies) {}

  private volatile Compiled current = new Compiled(null, List.of(), List.of());

  /** The compiled policies of this snapshot, in match order. */
  public List<CompiledPolicy> of(PolicySnapshot snapshot) {
    Compiled compiled = current;
    if (snapshot.version().equals(compiled.version())) {
      return compiled.policies();
    }
    return compile(snapshot);
  }

  private synchronized List<CompiledPolicy> compile(PolicySnapshot snapshot) {
    Compiled compiled = current;
    if (snapshot.version().equals(compiled.version())) {
      return compiled.policies();
    }
    // A runtime-state change (a new key) makes a new version with the same policies: keep those.
    List<CompiledPolicy> policies = snapshot.policies().equals(compiled.source())
        ? compiled.policies()
        : snapshot.policies().stream().map(CompiledPolicy::compile).toList();
    current = new Compiled(snapshot.version(), snapshot.policies(), policies);
    return policies;
  }

  /** The first policy whose match fits; empty means the request is not inspected. */
  public Optional<CompiledPolicy> select(PolicySnapshot snapshot, CompiledPolicy.Subject subject) {
    for (CompiledPolicy policy : of(snapshot)) {
      if (policy.matcher().matches(subject)) {
        return Optional.of(policy);
      }
    }
    return Optional.empty();
  }
}
