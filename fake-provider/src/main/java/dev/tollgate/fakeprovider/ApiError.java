package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * An error in OpenAI's shape, {@code {"error":{"message","type","param","code"}}}. Messages copy the
 * real API's wording where we know it, so gateway code that matches on them is exercised honestly.
 */
record ApiError(int status, String message, String type, String param, String code) {

  private static final String INVALID_REQUEST = "invalid_request_error";

  static ApiError malformedJson() {
    return new ApiError(400,
        "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload,"
            + " but what was sent was not valid JSON.",
        INVALID_REQUEST, null, null);
  }

  static ApiError missingModel() {
    return new ApiError(400, "you must provide a model parameter", INVALID_REQUEST, null, null);
  }

  static ApiError missingParameter(String param) {
    return new ApiError(400, "Missing required parameter: '" + param + "'.",
        INVALID_REQUEST, param, "missing_required_parameter");
  }

  static ApiError invalidParameter(String param, String message, String code) {
    return new ApiError(400, message, INVALID_REQUEST, param, code);
  }

  static ApiError notFound(String method, String path) {
    return new ApiError(404, "Invalid URL (" + method + " " + path + ")", INVALID_REQUEST, null, null);
  }

  static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(405, "Invalid method for URL (" + method + " " + path + ")",
        INVALID_REQUEST, null, null);
  }

  /** The status a test asked for with {@code x-fake-provider-behavior: status-NNN}. */
  static ApiError simulated(int status) {
    String message = "Simulated HTTP " + status + " (x-fake-provider-behavior)";
    if (status == 429) {
      return new ApiError(status, message, "requests", null, "rate_limit_exceeded");
    }
    if (status == 401) {
      return new ApiError(status, message, INVALID_REQUEST, null, "invalid_api_key");
    }
    return new ApiError(status, message, status >= 500 ? "server_error" : INVALID_REQUEST, null, null);
  }

  static ApiError internal(Exception cause) {
    return new ApiError(500, "The fake provider failed: " + cause.getClass().getSimpleName(),
        "server_error", null, null);
  }

  ObjectNode toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode error = root.putObject("error");
    // put(String, String) writes JSON null for a null value, which is what OpenAI sends.
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    return root;
  }

  Reply.Json toReply() {
    return new Reply.Json(status, toJson());
  }

  Reply.Json toReply(Map<String, String> headers) {
    return new Reply.Json(status, toJson(), headers);
  }
}
