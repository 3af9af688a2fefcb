package dev.tollgate.authz;

import dev.tollgate.core.openai.OpenAiError;
import java.util.concurrent.CompletableFuture;

/** A credential verifier's answer about one request. */
public sealed interface Verdict {
  /** The request does not carry this verifier's kind of credential; ask the next verifier. */
  record NotPresented() implements Verdict {}

  record Accepted(Identity identity) implements Verdict {}

  /** The credential is there and wrong: stop, answer with this error. */
  record Rejected(OpenAiError error) implements Verdict {}

  /**
   * The answer needs I/O first (a JWKS fetch). The gRPC thread must not wait for it, so the
   * verdict arrives later; it is never {@code Deferred} or {@code NotPresented} itself.
   */
  record Deferred(CompletableFuture<Verdict> verdict) implements Verdict {}

  Verdict NOT_PRESENTED = new NotPresented();
}
