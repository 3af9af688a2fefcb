package dev.tollgate.proc.limits;

import dev.tollgate.core.openai.OpenAiError;
import java.util.Map;

/**
 * The limits' verdict on one request, as the router stage uses it: go on (and report the headers
 * on the response, and release the lease when the response ends) or answer with the error.
 */
public final class LimitOutcome {
  static final LimitOutcome UNLIMITED = new LimitOutcome(null, Map.of(), Lease.NONE);

  private final OpenAiError refusal;
  private final Map<String, String> headers;
  private final Lease lease;

  LimitOutcome(OpenAiError refusal, Map<String, String> headers, Lease lease) {
    this.refusal = refusal;
    this.headers = headers; // immutable already: Map.of or a copy made by the caller
    this.lease = lease;
  }

  public boolean allowed() {
    return refusal == null;
  }

  /** The 429 (over a limit) or 503 (limits unavailable, fail_closed); null when allowed. */
  public OpenAiError refusal() {
    return refusal;
  }

  /** {@code x-ratelimit-*} headers, plus {@code retry-after} on a refusal; empty when no rate limit applies. */
  public Map<String, String> headers() {
    return headers;
  }

  /** Gives the request's concurrency slots back; safe to call more than once. */
  public void release() {
    lease.release();
  }
}
