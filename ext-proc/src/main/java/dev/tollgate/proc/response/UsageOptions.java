package dev.tollgate.proc.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Asks the provider for usage on every stream: a streamed chat or text completion reports its
 * token counts only with {@code stream_options.include_usage: true}, and metering needs them. The
 * extra usage-only chunk this adds is removed again for clients that did not ask for it.
 */
public final class UsageOptions {
  private UsageOptions() {}

  /**
   * @param clientAsked the client itself sent {@code include_usage: true}
   * @param forced      the gateway added it, so the client must not see usage in the stream
   */
  public record StreamUsage(boolean clientAsked, boolean forced) {
    public static final StreamUsage NOT_STREAMED = new StreamUsage(false, false);
  }

  /** What {@link #forceIncludeUsage} did for a request, from the facts the response side keeps. */
  public static StreamUsage expected(String path, boolean stream, boolean clientAsked) {
    if (!stream || !streamsUsage(path)) {
      return StreamUsage.NOT_STREAMED;
    }
    return new StreamUsage(clientAsked, !clientAsked);
  }

  private static boolean streamsUsage(String path) {
    return path.equals("/v1/chat/completions") || path.equals("/v1/completions");
  }

  /**
   * Sets {@code stream_options.include_usage: true} on a streamed chat/completions or completions
   * request, in place; call before the tree is stored for the upstream stage.
   */
  public static StreamUsage forceIncludeUsage(String path, ObjectNode body, boolean stream) {
    if (!stream || !streamsUsage(path)) {
      return StreamUsage.NOT_STREAMED;
    }
    JsonNode options = body.get("stream_options");
    if (options != null && !options.isNull() && !options.isObject()) {
      // Malformed: the provider rejects it with its own 400, which the client should see as is.
      return StreamUsage.NOT_STREAMED;
    }
    JsonNode asked = options == null ? null : options.get("include_usage");
    if (asked != null && asked.isBoolean() && asked.booleanValue()) {
      return new StreamUsage(true, false);
    }
    ObjectNode rewritten = options == null || options.isNull() ? body.putObject("stream_options") : (ObjectNode) options;
    rewritten.put("include_usage", true);
    return new StreamUsage(false, true);
  }
}
