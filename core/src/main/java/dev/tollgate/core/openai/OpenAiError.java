package dev.tollgate.core.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error the gateway answers itself, in OpenAI's shape
 * {@code {"error":{"message","type","param","code"}}}, with the HTTP status that goes with it.
 * Messages must never contain a secret or echo a prompt.
 */
public record OpenAiError(int status, String message, String type, String param, String code) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static OpenAiError invalidApiKey() {
    return new OpenAiError(401, "Incorrect API key provided. Pass a valid key as 'Authorization: Bearer <key>'.",
        "invalid_request_error", null, "invalid_api_key");
  }

  /** A known key past its expiry: the caller should ask for a new key rather than look for a typo. */
  public static OpenAiError apiKeyExpired() {
    return new OpenAiError(401, "This API key has expired. Ask the gateway's operator for a new one.",
        "invalid_request_error", null, "api_key_expired");
  }

  public static OpenAiError invalidRequest(String message, String param) {
    return new OpenAiError(400, message, "invalid_request_error", param, null);
  }

  public static OpenAiError modelNotFound(String model) {
    return new OpenAiError(404, "The model '" + model + "' does not exist or you do not have access to it.",
        "invalid_request_error", "model", "model_not_found");
  }

  public static OpenAiError modelNotAllowed(String model) {
    return new OpenAiError(403, "You are not allowed to use the model '" + model + "'.",
        "permission_error", "model", "model_not_allowed");
  }

  public static OpenAiError bodyTooLarge(long limit) {
    return new OpenAiError(413, "Request body is larger than the gateway's limit of " + limit + " bytes.",
        "invalid_request_error", null, "request_too_large");
  }

  public static OpenAiError internal(String message) {
    return new OpenAiError(500, message, "api_error", null, "internal_error");
  }

  public String toJson() {
    ObjectNode error = JSON.createObjectNode();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    ObjectNode root = JSON.createObjectNode();
    root.set("error", error);
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serialises", e);
    }
  }
}
