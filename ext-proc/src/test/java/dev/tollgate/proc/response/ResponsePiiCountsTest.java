package dev.tollgate.proc.response;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.tollgate.core.config.PiiConfig;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.inspect.pii.PiiEngine;
import dev.tollgate.inspect.pii.Pseudonyms;
import dev.tollgate.proc.inspect.AuditLog;
import dev.tollgate.proc.inspect.GatewayMetrics;
import dev.tollgate.proc.inspect.RequestInspection;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Values masked in answers reach tollgate_pii_entities_total{direction=response} and the audit record. */
class ResponsePiiCountsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PiiEngine ENGINE = PiiEngine.compile(new PiiConfig(null, null, null,
      Map.of("EMAIL", "mask", "SECRET", "block"), null));

  @TempDir
  Path dir;

  private static RequestInspection inspection(boolean stream) {
    Pseudonyms pseudonyms = new Pseudonyms();
    ENGINE.redactRequest("jane.doe@example.com", pseudonyms);
    return new RequestInspection("strict", "v1", 5, pseudonyms, null, stream, false,
        new CallerIdentity("alice", "", List.of(), "", "api_key", ""), "gpt-4o-mini", System.nanoTime(),
        "req_1", "/v1/chat/completions", Instant.now(), ENGINE, null, Map.of("EMAIL", 1), null, null);
  }

  private static HttpHeaders headers(String contentType) {
    return HttpHeaders.newBuilder().setHeaders(HeaderMap.newBuilder()
        .addHeaders(HeaderValue.newBuilder().setKey(":status").setRawValue(ByteString.copyFromUtf8("200")))
        .addHeaders(HeaderValue.newBuilder().setKey("content-type").setRawValue(ByteString.copyFromUtf8(contentType))))
        .build();
  }

  private JsonNode run(boolean stream, String body, GatewayMetrics metrics) throws Exception {
    Path file = dir.resolve(stream + "-audit.jsonl");
    try (AuditLog audit = AuditLog.toFile(file)) {
      ResponseProcessing processing = ResponseProcessing.open(inspection(stream), 1 << 20, metrics, audit);
      processing.headers(headers(stream ? "text/event-stream" : "application/json"), ProcessingResponse.newBuilder());
      processing.body(HttpBody.newBuilder().setBody(ByteString.copyFromUtf8(body)).setEndOfStream(true).build());
      processing.end();
    }
    return JSON.readTree(Files.readAllLines(file).get(0));
  }

  private static double counted(GatewayMetrics metrics, String type) {
    Counter counter = metrics.registry().find(GatewayMetrics.PII_ENTITIES).tags("direction", "response",
        "entity_type", type, "policy", "strict").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aPlainAnswersMaskedValuesAreCountedInContentAndToolCalls() throws Exception {
    GatewayMetrics metrics = GatewayMetrics.inMemory();
    String body = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"<EMAIL_1> and a@corp.example\",\"tool_calls\":[{\"id\":\"c\","
        + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"to\\\":\\\"b@corp.example\\\"}\"}}]},"
        + "\"finish_reason\":\"tool_calls\"}]}";

    JsonNode record = run(false, body, metrics);

    assertThat(counted(metrics, "EMAIL")).isEqualTo(2.0);
    assertThat(record.path("pii").path("response")).isEqualTo(JSON.readTree("{\"EMAIL\":2}"));
    assertThat(record.path("pii").path("request")).isEqualTo(JSON.readTree("{\"EMAIL\":1}"));
    // Counts only: the values are nowhere in the record.
    assertThat(record.toString()).doesNotContain("corp.example", "jane.doe");
  }

  @Test
  void aStreamsMaskedValuesAreCountedAlsoWhenSplitAcrossChunks() throws Exception {
    GatewayMetrics metrics = GatewayMetrics.inMemory();
    String head = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
        + "\"choices\":[{\"index\":0,\"delta\":";
    String body = head + "{\"content\":\"key AKIAIOSFOD\"},\"finish_reason\":null}]}\n\n"
        + head + "{\"content\":\"NN7EXAMPLE\"},\"finish_reason\":null}]}\n\n"
        + head + "{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"to\\\":\\\"b@co\"}}]},"
        + "\"finish_reason\":null}]}\n\n"
        + head + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"rp.example\\\"}\"}}]},"
        + "\"finish_reason\":null}]}\n\n"
        + head + "{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";

    JsonNode record = run(true, body, metrics);

    assertThat(counted(metrics, "EMAIL")).isEqualTo(1.0);
    assertThat(counted(metrics, "SECRET")).isEqualTo(1.0);
    assertThat(record.path("pii").path("response")).isEqualTo(JSON.readTree("{\"EMAIL\":1,\"SECRET\":1}"));
  }
}
