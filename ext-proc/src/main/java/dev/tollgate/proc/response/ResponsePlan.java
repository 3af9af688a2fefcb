package dev.tollgate.proc.response;

import dev.tollgate.core.config.ResponseRewriteConfig;
import java.util.Objects;

/**
 * What the response side must do for one request, fixed when the request body was accepted.
 *
 * @param endpoint     the request path, e.g. {@code /v1/chat/completions}
 * @param publicModel  the model name the client asked for
 * @param stream       the client asked for a stream
 * @param usage        whether usage was forced into the stream and whether the client asked
 * @param rewrite      the matching policy's {@code response:} section, or the defaults
 * @param text         PII restore / masking of model output; null when no PII policy applies
 * @param startNanos   {@link System#nanoTime()} when the request arrived, for durations
 * @param bufferLimit  largest plain body the gateway buffers to rewrite (Envoy's buffer limit)
 */
public record ResponsePlan(String endpoint, String publicModel, boolean stream, UsageOptions.StreamUsage usage,
    ResponseRewriteConfig rewrite, ResponseTextTransform text, long startNanos, int bufferLimit) {

  public ResponsePlan {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(publicModel, "publicModel");
    Objects.requireNonNull(usage, "usage");
    rewrite = rewrite == null ? ResponseRewriteConfig.DEFAULTS : rewrite;
  }

  boolean completionsText() {
    return endpoint.equals("/v1/completions");
  }
}
