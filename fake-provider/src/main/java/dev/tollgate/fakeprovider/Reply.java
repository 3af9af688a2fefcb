package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** What an endpoint answers, kept apart from the HTTP writing so endpoints stay plain functions. */
sealed interface Reply permits Reply.Json, Reply.EventStream, Reply.Raw {

  /** One JSON document; {@code headers} adds response headers such as {@code Allow}. */
  record Json(int status, JsonNode body, Map<String, String> headers) implements Reply {
    public Json {
      headers = Map.copyOf(headers);
    }

    public Json(int status, JsonNode body) {
      this(status, body, Map.of());
    }
  }

  /** Bytes as they are, for error bodies that are not JSON or not OpenAI-shaped. */
  record Raw(int status, String contentType, String body) implements Reply {}

  /**
   * A 200 server-sent-event stream, one event per chunk in order. The {@code [DONE]} terminator is
   * the writer's business, because it belongs to the wire format rather than to any endpoint.
   */
  record EventStream(List<JsonNode> chunks) implements Reply {
    public EventStream {
      chunks = List.copyOf(chunks);
    }
  }
}
