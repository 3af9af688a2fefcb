package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/embeddings}. Every input gets an 8-dimensional {@link DeterministicVector}; the
 * {@code dimensions} parameter is ignored. {@code encoding_format: "base64"} is honoured because SDKs
 * ask for it by default; it packs little-endian float32 values, as OpenAI does.
 */
final class EmbeddingsEndpoint implements Endpoint {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @Override
  public Reply answer(ObjectNode body, String model) throws RequestRejected {
    List<String> inputs = TextInputs.read(body, "input");
    boolean base64 = base64(body);
    ObjectNode root = JSON.objectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    int promptTokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      float[] vector = DeterministicVector.of(inputs.get(i));
      ObjectNode item = data.addObject();
      item.put("object", "embedding");
      item.put("index", i);
      if (base64) {
        item.put("embedding", encode(vector));
      } else {
        ArrayNode values = item.putArray("embedding");
        for (float value : vector) {
          values.add(value);
        }
      }
      promptTokens += TokenEstimate.of(inputs.get(i));
    }
    root.put("model", model);
    root.putObject("usage").put("prompt_tokens", promptTokens).put("total_tokens", promptTokens);
    return new Reply.Json(200, root);
  }

  private static boolean base64(ObjectNode body) throws RequestRejected {
    String format = body.path("encoding_format").asText("float");
    if (format.equals("float")) {
      return false;
    }
    if (format.equals("base64")) {
      return true;
    }
    throw new RequestRejected(ApiError.invalidParameter("encoding_format",
        "Invalid value for 'encoding_format': expected 'float' or 'base64', got '" + format + "'.",
        "invalid_value"));
  }

  private static String encode(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : vector) {
      bytes.putFloat(value);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
