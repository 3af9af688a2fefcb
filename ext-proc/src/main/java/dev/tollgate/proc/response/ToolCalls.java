package dev.tollgate.proc.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where model-generated function calls carry their arguments in a chat message (plain answers)
 * or a chunk's delta (streams): {@code tool_calls[].function} and the legacy
 * {@code function_call}. Their {@code arguments} are model output like the content, so the PII
 * transform and the budget's cap apply to them too.
 */
final class ToolCalls {
  /** The key of the legacy {@code function_call}, beside the tool calls' indexes. */
  static final int LEGACY = -1;

  private ToolCalls() {}

  /**
   * The function objects by tool-call index ({@code index} as a stream sends it, else the
   * position in the array), and the legacy one under {@link #LEGACY}; in order.
   */
  static Map<Integer, ObjectNode> functions(ObjectNode holder) {
    Map<Integer, ObjectNode> functions = new LinkedHashMap<>();
    if (holder.get("tool_calls") instanceof ArrayNode calls) {
      for (int i = 0; i < calls.size(); i++) {
        JsonNode call = calls.get(i);
        if (call.get("function") instanceof ObjectNode function) {
          functions.putIfAbsent(call.path("index").asInt(i), function);
        }
      }
    }
    if (holder.get("function_call") instanceof ObjectNode legacy) {
      functions.put(LEGACY, legacy);
    }
    return functions;
  }

  /** The textual {@code arguments} of a function object, or null. */
  static String arguments(ObjectNode function) {
    JsonNode arguments = function.get("arguments");
    return arguments != null && arguments.isTextual() ? arguments.textValue() : null;
  }

  /**
   * Appends {@code tail} to the arguments of call {@code key} in {@code delta}, adding the call
   * ({@code {"index": key, "function": {"arguments": tail}}}) when the delta has none: how held-back
   * arguments reach the client in a later chunk.
   */
  static void appendArguments(ObjectNode delta, int key, String tail) {
    ObjectNode function = functions(delta).get(key);
    if (function == null) {
      if (key == LEGACY) {
        function = delta.putObject("function_call");
      } else {
        ArrayNode calls = delta.get("tool_calls") instanceof ArrayNode list ? list : delta.putArray("tool_calls");
        ObjectNode call = calls.addObject();
        call.put("index", key);
        function = call.putObject("function");
      }
    }
    String before = arguments(function);
    function.put("arguments", (before == null ? "" : before) + tail);
  }
}
