package dev.tollgate.proc;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.tollgate.core.openai.OpenAiError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** Parses an OpenAI request body once and checks the little the router stage needs from it. */
final class RequestBodyParser {
  /** Deep nesting is never legitimate in a chat request and costs stack; refuse it early. */
  private static final int MAX_NESTING = 64;

  private final ObjectMapper json;

  RequestBodyParser() {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
        .build();
    // Both refuse bodies another parser could read differently (first vs last value): the
    // provider must see exactly the request that was authorised.
    json = new ObjectMapper(factory)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .setNodeFactory(new FiniteNumbers());
  }

  /**
   * Refuses numbers beyond a double's range (1e400): Jackson reads them as Infinity, which the
   * upstream stage's rewrite would write back as the string "Infinity", so the provider would see
   * another request than the client sent, and only when a canary target renames the model.
   */
  private static final class FiniteNumbers extends JsonNodeFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public NumericNode numberNode(double v) {
      if (!Double.isFinite(v)) {
        throw new NumberOutOfRange();
      }
      return super.numberNode(v);
    }

    @Override
    public NumericNode numberNode(float v) {
      if (!Float.isFinite(v)) {
        throw new NumberOutOfRange();
      }
      return super.numberNode(v);
    }
  }

  private static final class NumberOutOfRange extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NumberOutOfRange() {
      super(null, null, false, false);
    }
  }

  sealed interface Outcome {}

  record Parsed(ParsedRequest request) implements Outcome {}

  record Refused(OpenAiError error) implements Outcome {}

  private static boolean containsZeroByte(ByteString body) {
    for (java.nio.ByteBuffer part : body.asReadOnlyByteBufferList()) {
      for (int i = part.position(); i < part.limit(); i++) {
        if (part.get(i) == 0) {
          return true;
        }
      }
    }
    return false;
  }

  Outcome parse(ByteString body) {
    if (!body.isValidUtf8() || containsZeroByte(body)) {
      // JSON between systems is UTF-8 (RFC 8259). Jackson would also take UTF-16/32, and it does not
      // check UTF-8 inside field names: it reads bad bytes there as lone surrogates, which a rewrite
      // writes back as escapes no parser accepts. Either way the provider could read other JSON.
      // ASCII text in UTF-16/32 passes the UTF-8 check (its zeros are U+0000), but JSON never holds
      // a raw U+0000 (strings must escape it), so a zero byte marks such a body.
      return new Refused(OpenAiError.invalidRequest("The request body must be JSON encoded as UTF-8.", null));
    }
    JsonNode tree;
    try (InputStream in = body.newInput()) {
      tree = json.readTree(in);
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      return new Refused(OpenAiError.invalidRequest(
          "The request body nests JSON deeper than " + MAX_NESTING + " levels.", null));
    } catch (IOException e) {
      // Jackson's message names the position; it quotes at most a few characters of input.
      return new Refused(OpenAiError.invalidRequest(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
              + "using your HTTP library correctly. The OpenAI API expects a JSON payload.)", null));
    } catch (NumberOutOfRange e) {
      return new Refused(OpenAiError.invalidRequest(
          "The request body contains a number too large to represent.", null));
    }
    if (tree == null || tree.isMissingNode()) {
      return new Refused(OpenAiError.invalidRequest("The request body is empty; a JSON object is required.", null));
    }
    if (!(tree instanceof ObjectNode object)) {
      return new Refused(OpenAiError.invalidRequest("The request body must be a JSON object.", null));
    }
    JsonNode model = object.get("model");
    if (model == null || model.isNull()) {
      return new Refused(OpenAiError.invalidRequest("you must provide a model parameter", "model"));
    }
    if (!model.isTextual() || model.textValue().isBlank()) {
      return new Refused(OpenAiError.invalidRequest("'model' must be a non-empty string.", "model"));
    }
    JsonNode stream = object.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      return new Refused(OpenAiError.invalidRequest("'stream' must be a boolean.", "stream"));
    }
    return new Parsed(new ParsedRequest(object, model.textValue(), stream != null && stream.asBoolean(false)));
  }

  /**
   * The body as the client sent it but for {@code model}, for a target that knows the model by
   * another name. Written field by field from the stored tree, which stays untouched (every retry
   * starts from it), so no copy of the tree is made.
   */
  byte[] writeWithModel(ObjectNode body, String model) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + body.size() * 64);
    try (JsonGenerator generator = json.getFactory().createGenerator(out)) {
      generator.writeStartObject();
      for (Map.Entry<String, JsonNode> field : body.properties()) {
        generator.writeFieldName(field.getKey());
        if (field.getKey().equals("model")) {
          generator.writeString(model);
        } else {
          json.writeTree(generator, field.getValue());
        }
      }
      generator.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("a parsed JSON tree always serialises", e);
    }
    return out.toByteArray();
  }
}
