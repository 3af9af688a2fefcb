package dev.tollgate.proc.response;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.tollgate.core.config.ResponseRewriteConfig;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The ext_proc answers of the response side, message by message as Envoy drives them. */
class ResponseProcessingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PLAIN = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini-2024-07-18\","
      + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":" + StreamRewriterTest.USAGE + "}";

  private final List<ResponseSummary> summaries = new ArrayList<>();

  private ResponseProcessing processing(boolean stream, int bufferLimit) {
    return new ResponseProcessing(new ResponsePlan("/v1/chat/completions", "gpt-4o-mini", stream,
        stream ? new UsageOptions.StreamUsage(false, true) : UsageOptions.StreamUsage.NOT_STREAMED,
        ResponseRewriteConfig.DEFAULTS, null, System.nanoTime(), bufferLimit), JSON, summaries::add);
  }

  private static HttpHeaders headers(boolean endOfStream, String... pairs) {
    HeaderMap.Builder map = HeaderMap.newBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      map.addHeaders(HeaderValue.newBuilder().setKey(pairs[i])
          .setRawValue(ByteString.copyFromUtf8(pairs[i + 1])));
    }
    return HttpHeaders.newBuilder().setHeaders(map).setEndOfStream(endOfStream).build();
  }

  private static Map<String, String> setHeaders(List<HeaderValueOption> options) {
    return options.stream().collect(Collectors.toMap(o -> o.getHeader().getKey(),
        o -> o.getHeader().getRawValue().toString(StandardCharsets.UTF_8)));
  }

  @Test
  void aJsonBodyIsBufferedRewrittenWithAMatchingLengthUsageHeadersAndMetadata() throws Exception {
    ResponseProcessing processing = processing(false, 1 << 20);
    ProcessingResponse headers = processing.headers(headers(false, ":status", "200", "content-type", "application/json",
        "content-length", Integer.toString(PLAIN.length())), ProcessingResponse.newBuilder());
    assertThat(headers.getModeOverride().getResponseBodyMode()).isEqualTo(ProcessingMode.BodySendMode.BUFFERED);

    ProcessingResponse body = processing.body(HttpBody.newBuilder().setBody(ByteString.copyFromUtf8(PLAIN))
        .setEndOfStream(true).build());
    ByteString out = body.getResponseBody().getResponse().getBodyMutation().getBody();
    assertThat(JSON.readTree(out.toStringUtf8()).path("model").asText()).isEqualTo("gpt-4o-mini");
    Map<String, String> set = setHeaders(body.getResponseBody().getResponse().getHeaderMutation().getSetHeadersList());
    assertThat(set).containsEntry("content-length", Integer.toString(out.size()))
        .containsEntry(UsageHeaders.PROMPT, "12").containsEntry(UsageHeaders.COMPLETION, "100")
        .containsEntry(UsageHeaders.TOTAL, "112").containsEntry(UsageHeaders.CACHED, "3")
        .containsEntry(UsageHeaders.REASONING, "64");
    var usage = body.getDynamicMetadata().getFieldsOrThrow(UsageHeaders.METADATA_NAMESPACE).getStructValue();
    assertThat(usage.getFieldsOrThrow("total_tokens").getNumberValue()).isEqualTo(112);
    assertThat(usage.getFieldsOrThrow("model").getStringValue()).isEqualTo("gpt-4o-mini");

    processing.end();
    processing.end();
    assertThat(summaries).singleElement().satisfies(summary -> {
      assertThat(summary.outcome()).isEqualTo(ResponseSummary.COMPLETE);
      assertThat(summary.providerModel()).isEqualTo("gpt-4o-mini-2024-07-18");
      assertThat(summary.usage()).contains(new TokenUsage(12, 100, 112, 3, 64));
    });
  }

  @Test
  void bodiesOverTheBufferLimitOrInAnUnknownEncodingPassUninspected() {
    ResponseProcessing large = processing(false, 100);
    ProcessingResponse answer = large.headers(headers(false, ":status", "200", "content-type", "application/json",
        "content-length", "5000"), ProcessingResponse.newBuilder());
    assertThat(answer.hasModeOverride()).isFalse();
    large.end();
    ResponseProcessing brotli = processing(false, 1 << 20);
    assertThat(brotli.headers(headers(false, ":status", "200", "content-type", "application/json",
        "content-encoding", "br"), ProcessingResponse.newBuilder()).hasModeOverride()).isFalse();
    brotli.end();
    ResponseProcessing chunked = processing(false, 1 << 20);
    assertThat(chunked.headers(headers(false, ":status", "200", "content-type", "application/json"),
        ProcessingResponse.newBuilder()).getModeOverride().getResponseBodyMode())
        .isEqualTo(ProcessingMode.BodySendMode.BUFFERED_PARTIAL);
    chunked.body(HttpBody.newBuilder().setBody(ByteString.copyFromUtf8("{\"partial\":")).build());
    chunked.end();
    assertThat(summaries).extracting(ResponseSummary::uninspected).containsExactly("too_large", "encoding_br", "too_large");
  }

  @Test
  void aStreamIsStreamedUnchangedChunksPassWithoutAMutationAndAnAbortIsIncomplete() {
    ResponseProcessing processing = processing(true, 1 << 20);
    ProcessingResponse headers = processing.headers(headers(false, ":status", "200", "content-type",
        "text/event-stream; charset=utf-8"), ProcessingResponse.newBuilder());
    assertThat(headers.getModeOverride().getResponseBodyMode()).isEqualTo(ProcessingMode.BodySendMode.STREAMED);

    ProcessingResponse comment = processing.body(HttpBody.newBuilder().setBody(ByteString.copyFromUtf8(": ping\n\n")).build());
    assertThat(comment.getResponseBody().getResponse().hasBodyMutation()).isFalse();
    ProcessingResponse half = processing.body(HttpBody.newBuilder()
        .setBody(ByteString.copyFromUtf8(StreamRewriterTest.chunk("Hi", null, true).substring(0, 30))).build());
    assertThat(half.getResponseBody().getResponse().getBodyMutation().getClearBody()).isTrue();
    processing.end();
    assertThat(summaries).singleElement().extracting(ResponseSummary::outcome).isEqualTo(ResponseSummary.INCOMPLETE);
  }
}
