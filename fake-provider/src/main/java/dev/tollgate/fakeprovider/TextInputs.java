package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a field that OpenAI accepts as a string or an array of strings ({@code prompt},
 * {@code input}). Token-id arrays, which the real API also accepts, are rejected: the fake has no
 * tokenizer to turn them back into text.
 */
final class TextInputs {

  private TextInputs() {
  }

  static List<String> read(ObjectNode body, String field) throws RequestRejected {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw new RequestRejected(ApiError.missingParameter(field));
    }
    if (value.isTextual()) {
      return List.of(value.asText());
    }
    if (value.isArray() && !value.isEmpty()) {
      List<String> texts = new ArrayList<>();
      for (JsonNode element : value) {
        if (!element.isTextual()) {
          throw new RequestRejected(invalid(field));
        }
        texts.add(element.asText());
      }
      return texts;
    }
    throw new RequestRejected(invalid(field));
  }

  private static ApiError invalid(String field) {
    return ApiError.invalidParameter(field,
        "Invalid '" + field + "': the fake provider accepts a string or a non-empty array of strings.",
        "invalid_type");
  }
}
