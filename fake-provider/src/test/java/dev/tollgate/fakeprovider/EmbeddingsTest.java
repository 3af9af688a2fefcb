package dev.tollgate.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddingsTest {

  private FakeOpenAiProvider provider;

  @BeforeEach
  void start() throws IOException {
    provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults());
  }

  @AfterEach
  void stop() {
    provider.close();
  }

  @Test
  void stringInputGivesOneEightFloatEmbedding() {
    HttpResponse<String> response = FakeClient.post(provider, "/v1/embeddings",
        "{\"model\":\"text-embedding-3-small\",\"input\":\"How do I reset my password?\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode json = FakeClient.json(response.body());
    assertThat(json.path("object").asText()).isEqualTo("list");
    assertThat(json.path("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(json.path("data")).hasSize(1);
    JsonNode item = json.path("data").get(0);
    assertThat(item.path("object").asText()).isEqualTo("embedding");
    assertThat(item.path("index").asInt(-1)).isZero();
    assertThat(item.path("embedding")).hasSize(8).allMatch(JsonNode::isNumber);
    assertThat(norm(item.path("embedding"))).isCloseTo(1.0, within(1e-5));
    // 27 characters -> 7 tokens, which happens to be what OpenAI counted for this text too.
    assertThat(json.at("/usage/prompt_tokens").asInt()).isEqualTo(7);
    assertThat(json.at("/usage/total_tokens").asInt()).isEqualTo(7);
  }

  @Test
  void arrayInputGivesOneDeterministicEmbeddingPerString() {
    String body = "{\"model\":\"e\",\"input\":[\"alpha\",\"beta\",\"alpha\"]}";

    JsonNode first = FakeClient.json(FakeClient.post(provider, "/v1/embeddings", body).body());
    JsonNode second = FakeClient.json(FakeClient.post(provider, "/v1/embeddings", body).body());

    assertThat(first.path("data")).hasSize(3);
    assertThat(first.at("/data/2/index").asInt()).isEqualTo(2);
    assertThat(first.at("/data/0/embedding")).isEqualTo(first.at("/data/2/embedding"));
    assertThat(first.at("/data/0/embedding")).isNotEqualTo(first.at("/data/1/embedding"));
    assertThat(second.path("data")).isEqualTo(first.path("data"));
    assertThat(first.at("/usage/prompt_tokens").asInt()).isEqualTo(2 + 1 + 2);
  }

  @Test
  void base64FormatPacksTheSameFloatsLittleEndian() {
    JsonNode floats = FakeClient.json(FakeClient.post(provider, "/v1/embeddings",
        "{\"model\":\"e\",\"input\":\"x\"}").body()).at("/data/0/embedding");
    String packed = FakeClient.json(FakeClient.post(provider, "/v1/embeddings",
        "{\"model\":\"e\",\"input\":\"x\",\"encoding_format\":\"base64\"}").body()).at("/data/0/embedding").asText();

    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(packed)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(8 * Float.BYTES);
    for (int i = 0; i < 8; i++) {
      assertThat(bytes.getFloat()).isEqualTo(floats.get(i).floatValue());
    }
  }

  @Test
  void missingInputIsA400() {
    HttpResponse<String> response = FakeClient.post(provider, "/v1/embeddings", "{\"model\":\"e\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(FakeClient.json(response.body()).at("/error/param").asText()).isEqualTo("input");
  }

  private static double norm(JsonNode vector) {
    double sum = 0;
    for (JsonNode value : vector) {
      sum += value.doubleValue() * value.doubleValue();
    }
    return Math.sqrt(sum);
  }
}
