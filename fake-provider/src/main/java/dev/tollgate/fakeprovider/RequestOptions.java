package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalInt;

/**
 * The options that change the shape of a generated reply.
 *
 * @param stream       {@code "stream": true}
 * @param includeUsage {@code "stream_options": {"include_usage": true}}
 * @param maxTokens    the first present of the given token-limit fields
 */
record RequestOptions(boolean stream, boolean includeUsage, OptionalInt maxTokens) {

  /** @param maxTokenFields token-limit field names, most preferred first */
  static RequestOptions read(ObjectNode body, String... maxTokenFields) throws RequestRejected {
    boolean stream = body.path("stream").asBoolean(false);
    boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
    for (String field : maxTokenFields) {
      JsonNode limit = body.get(field);
      if (limit != null && !limit.isNull()) {
        return new RequestOptions(stream, includeUsage, OptionalInt.of(positiveInt(field, limit)));
      }
    }
    return new RequestOptions(stream, includeUsage, OptionalInt.empty());
  }

  private static int positiveInt(String field, JsonNode value) throws RequestRejected {
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new RequestRejected(ApiError.invalidParameter(field,
          "Invalid type for '" + field + "': expected an integer, but got " + value + " instead.",
          "invalid_type"));
    }
    if (value.intValue() < 1) {
      throw new RequestRejected(ApiError.invalidParameter(field,
          "Invalid '" + field + "': integer below minimum value. Expected a value >= 1, but got "
              + value.intValue() + " instead.",
          "integer_below_min_value"));
    }
    return value.intValue();
  }
}
