package dev.tollgate.proc.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;

/**
 * Provider error bodies in OpenAI's shape {@code {"error":{message,type,param,code}}}, whatever
 * the provider sent: an OpenAI SDK reads the message from there, and an HTML page from a proxy in
 * front of the provider, or another vendor's JSON, would otherwise reach the client as an
 * unreadable error. The status stays the provider's.
 */
final class ErrorBodies {
  private static final int MAX_MESSAGE_CHARS = 1000;

  private ErrorBodies() {}

  /** @return the normalised body, or empty when the body already has OpenAI's shape */
  static Optional<byte[]> normalize(int status, byte[] body, ObjectMapper json) {
    JsonNode tree = parse(body, json);
    if (tree != null && tree.isArray() && tree.size() > 0) {
      tree = tree.get(0); // some vendors wrap the error in a one-element list
    }
    JsonNode error = tree == null ? null : tree.get("error");
    if (status == 401 || status == 407) {
      // The provider refused the gateway's credential, not the client's: never pass on a message
      // that may quote part of the provider key.
      return Optional.of(write(json, "The model provider refused the gateway's credentials (HTTP " + status
          + "). This is a gateway configuration problem, not a problem with your API key.",
          "api_error", null, "upstream_authentication_failed"));
    }
    if (error != null && error.isObject() && error.path("message").isTextual()
        && error.has("type") && error.has("param") && error.has("code") && tree.size() == 1) {
      return Optional.empty();
    }
    String message = null;
    String type = null;
    JsonNode param = null;
    JsonNode code = null;
    if (error != null && error.isObject()) {
      message = text(error.get("message"));
      type = text(error.get("type"));
      param = error.get("param");
      code = error.get("code");
    } else if (error != null && error.isTextual()) {
      message = error.textValue();
    } else if (tree != null && tree.isObject()) {
      message = firstText(tree, "message", "detail", "error_message", "title");
      code = tree.get("code");
    }
    if (message == null || message.isBlank()) {
      message = "The model provider answered HTTP " + status + " without an error message the gateway could read.";
      code = null;
    }
    if (message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS);
    }
    ObjectNode root = json.createObjectNode();
    ObjectNode out = root.putObject("error");
    out.put("message", message);
    out.put("type", type != null ? type : defaultType(status));
    setScalar(out, "param", param);
    if (code != null && (code.isTextual() || code.isNumber())) {
      out.set("code", code);
    } else {
      out.put("code", message.startsWith("The model provider answered") ? "upstream_error" : null);
    }
    try {
      return Optional.of(json.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new IllegalStateException("a tree of strings always serialises", e);
    }
  }

  static String defaultType(int status) {
    if (status == 429) {
      return "rate_limit_error";
    }
    return status >= 500 ? "api_error" : "invalid_request_error";
  }

  private static byte[] write(ObjectMapper json, String message, String type, String param, String code) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    try {
      return json.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("a tree of strings always serialises", e);
    }
  }

  private static void setScalar(ObjectNode out, String field, JsonNode value) {
    if (value != null && value.isTextual()) {
      out.set(field, value);
    } else {
      out.putNull(field);
    }
  }

  private static String firstText(JsonNode tree, String... fields) {
    for (String field : fields) {
      String text = text(tree.get(field));
      if (text != null && !text.isBlank()) {
        return text;
      }
    }
    return null;
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? node.textValue() : null;
  }

  private static JsonNode parse(byte[] body, ObjectMapper json) {
    try {
      return json.readTree(body);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
