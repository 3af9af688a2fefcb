package dev.tollgate.authz;

import dev.tollgate.core.openai.OpenAiError;

/** A credential verifier's answer about one request. */
public sealed interface Verdict {
  /** The request does not carry this verifier's kind of credential; ask the next verifier. */
  record NotPresented() implements Verdict {}

  record Accepted(Identity identity) implements Verdict {}

  /** The credential is there and wrong: stop, answer with this error. */
  record Rejected(OpenAiError error) implements Verdict {}

  Verdict NOT_PRESENTED = new NotPresented();
}
