package dev.tollgate.proc;

import static dev.tollgate.proc.ProcStream.requestBody;
import static dev.tollgate.proc.ProcStream.requestHeaders;
import static dev.tollgate.proc.ProcStream.responseBody;
import static dev.tollgate.proc.ProcStream.responseHeaders;
import static dev.tollgate.proc.ProcStream.setHeader;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.policy.PolicySnapshot;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.Status;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The router-level ext_proc stage, over gRPC as Envoy drives it. */
class RouterStageTest extends ProcServiceFixture {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  /** Request headers then body on a fresh router stream; returns the answer to the body. */
  private ProcessingResponse chat(String body, String consumer) {
    try (ProcStream stream = routerStream()) {
      ProcessingResponse headers = stream.send(requestHeaders(chatHeaders(REQUEST_ID, body), consumer, false));
      assertContinueHeaders(headers);
      return stream.send(requestBody(body));
    }
  }

  private static void assertContinueHeaders(ProcessingResponse response) {
    assertThat(response.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.REQUEST_HEADERS);
    assertThat(response.getRequestHeaders().getResponse().getHeaderMutation().getSetHeadersList()).isEmpty();
    // The body is buffered for inspection, and this request's response headers are asked for:
    // the filter config leaves them off so ext_authz's own replies never reach the processor.
    assertThat(response.getModeOverride().getRequestBodyMode()).isEqualTo(ProcessingMode.BodySendMode.BUFFERED);
    assertThat(response.getModeOverride().getResponseHeaderMode()).isEqualTo(ProcessingMode.HeaderSendMode.SEND);
    assertThat(response.getModeOverride().getResponseBodyMode()).isEqualTo(ProcessingMode.BodySendMode.NONE);
  }

  /** Checks an immediate answer and returns its parsed body's "error" object. */
  private static JsonNode assertImmediate(ProcessingResponse response, int status, String requestId) throws IOException {
    assertThat(response.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.IMMEDIATE_RESPONSE);
    ImmediateResponse immediate = response.getImmediateResponse();
    assertThat(immediate.getStatus().getCodeValue()).isEqualTo(status);
    assertThat(setHeader(immediate.getHeaders().getSetHeadersList(), "content-type")).isEqualTo("application/json");
    if (requestId != null) {
      assertThat(setHeader(immediate.getHeaders().getSetHeadersList(), "x-tollgate-request-id")).isEqualTo(requestId);
    }
    assertThat(immediate.getDetails()).startsWith("tollgate_");
    JsonNode error = JSON.readTree(immediate.getBody().toStringUtf8()).path("error");
    assertThat(error.isObject()).as("OpenAI error shape").isTrue();
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isNotBlank();
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
    return error;
  }

  // ------------------------------------------------------------------------------- accepted

  @Test
  void validBodySetsModelHeaderAndClearsRouteCache() {
    ProcStream stream = routerStream();
    assertContinueHeaders(stream.send(requestHeaders(chatHeaders(REQUEST_ID, CHAT), "app", false)));
    ProcessingResponse response = stream.send(requestBody(CHAT));

    assertThat(response.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.REQUEST_BODY);
    CommonResponse common = response.getRequestBody().getResponse();
    assertThat(common.getClearRouteCache()).isTrue();
    assertThat(common.getStatus()).isEqualTo(CommonResponse.ResponseStatus.CONTINUE);
    assertThat(common.hasBodyMutation()).as("the router stage never rewrites the body").isFalse();
    assertThat(setHeader(common.getHeaderMutation().getSetHeadersList(), "x-tollgate-model")).isEqualTo("gpt-4o-mini");
    assertThat(setHeader(common.getHeaderMutation().getSetHeadersList(), "x-tollgate-request-id")).isEqualTo(REQUEST_ID);
    // Kept for the upstream stage while the router stream is open.
    assertThat(service.pendingRequests()).isEqualTo(1);
    stream.complete();
  }

  @Test
  void globAllowedConsumerMayUseAnyKnownModel() {
    ProcessingResponse response = chat("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}", "ops");
    assertThat(setHeader(response.getRequestBody().getResponse().getHeaderMutation().getSetHeadersList(),
        "x-tollgate-model")).isEqualTo("gpt-4o");
  }

  @Test
  void queryStringDoesNotHideAModelEndpoint() {
    try (ProcStream stream = routerStream()) {
      Map<String, String> headers = postHeaders("/v1/chat/completions?api-version=1", REQUEST_ID, CHAT.length());
      assertContinueHeaders(stream.send(requestHeaders(headers, "app", false)));
      assertThat(stream.send(requestBody(CHAT)).getRequestBody().getResponse().getClearRouteCache()).isTrue();
    }
  }

  @Test
  void otherModelEndpointsAreInspectedToo() {
    for (String path : new String[] {"/v1/completions", "/v1/embeddings"}) {
      String body = "{\"model\":\"gpt-4o-mini\",\"input\":\"x\"}";
      try (ProcStream stream = routerStream()) {
        assertContinueHeaders(stream.send(requestHeaders(postHeaders(path, REQUEST_ID, body.length()), "app", false)));
        assertThat(setHeader(stream.send(requestBody(body)).getRequestBody().getResponse().getHeaderMutation()
            .getSetHeadersList(), "x-tollgate-model")).as(path).isEqualTo("gpt-4o-mini");
      }
    }
  }

  @Test
  void missingRequestIdIsGeneratedAndUsedConsistently() throws IOException {
    try (ProcStream stream = routerStream()) {
      assertContinueHeaders(stream.send(requestHeaders(chatHeaders(null, CHAT), "app", false)));
      ProcessingResponse body = stream.send(requestBody(CHAT));
      String id = setHeader(body.getRequestBody().getResponse().getHeaderMutation().getSetHeadersList(),
          "x-tollgate-request-id");
      assertThat(id).matches("req_[0-9a-f]{32}");
      ProcessingResponse back = stream.send(responseHeaders(Map.of(":status", "200", "content-type", "application/json"), false));
      assertThat(setHeader(back.getResponseHeaders().getResponse().getHeaderMutation().getSetHeadersList(),
          "x-tollgate-request-id")).isEqualTo(id);
    }
  }

  @Test
  void policyIsFixedForTheWholeRequest() throws IOException {
    PolicySnapshot withoutMini = policy("""
        backends:
          - name: local
            kind: openai-compatible
            endpoints: [ { host: 127.0.0.1, port: 8000 } ]
        models:
          - name: gpt-4o
            targets: [ { backend: local } ]
        consumers:
          - name: app
            models: [ "gpt-4o-mini" ]
        """, "v2");
    assertThat(withoutMini.models()).containsExactly("gpt-4o");

    try (ProcStream stream = routerStream()) {
      assertContinueHeaders(stream.send(requestHeaders(chatHeaders(REQUEST_ID, CHAT), "app", false)));
      policy.set(withoutMini);
      // Started under v1, so finishes under v1.
      assertThat(stream.send(requestBody(CHAT)).getResponseCase())
          .isEqualTo(ProcessingResponse.ResponseCase.REQUEST_BODY);
    }
    // The next request sees v2.
    assertThat(assertImmediate(chat(CHAT, "app"), 404, REQUEST_ID).path("code").asText()).isEqualTo("model_not_found");
  }

  // ------------------------------------------------------------------------------- refused bodies

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"model\": \"gpt-4o-mini\",",             // truncated
      "not json at all",
      "{\"model\":\"gpt-4o-mini\"} trailing",
      "{\"model\":\"gpt-4o-mini\"}{\"model\":\"gpt-4o\"}",  // a second document a lenient provider may read
      "{\"model\":\"gpt-4o-mini\",\"model\":\"gpt-4o\"}",  // duplicate key: which one would the provider use?
  })
  void malformedJsonIs400(String body) throws IOException {
    JsonNode error = assertImmediate(chat(body, "app"), 400, REQUEST_ID);
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(service.pendingRequests()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[{\"model\":\"gpt-4o-mini\"}]", "\"gpt-4o-mini\"", "42", "null"})
  void nonObjectBodyIs400(String body) throws IOException {
    JsonNode error = assertImmediate(chat(body, "app"), 400, REQUEST_ID);
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void missingModelIs400OnParamModel() throws IOException {
    JsonNode error = assertImmediate(chat("{\"messages\":[]}", "app"), 400, REQUEST_ID);
    assertThat(error.path("param").asText()).isEqualTo("model");
    assertThat(error.path("message").asText()).contains("model");
    error = assertImmediate(chat("{\"model\":null,\"messages\":[]}", "app"), 400, REQUEST_ID);
    assertThat(error.path("param").asText()).isEqualTo("model");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"model\":4}", "{\"model\":true}", "{\"model\":[\"gpt-4o-mini\"]}",
      "{\"model\":{\"name\":\"gpt-4o-mini\"}}", "{\"model\":\"\"}", "{\"model\":\"  \"}"})
  void nonStringOrBlankModelIs400(String body) throws IOException {
    JsonNode error = assertImmediate(chat(body, "app"), 400, REQUEST_ID);
    assertThat(error.path("param").asText()).isEqualTo("model");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"true\"", "1", "{}", "[true]"})
  void nonBooleanStreamIs400(String stream) throws IOException {
    JsonNode error = assertImmediate(chat("{\"model\":\"gpt-4o-mini\",\"stream\":" + stream + "}", "app"), 400, REQUEST_ID);
    assertThat(error.path("param").asText()).isEqualTo("stream");
  }

  @Test
  void nullStreamIsAccepted() {
    assertThat(chat("{\"model\":\"gpt-4o-mini\",\"stream\":null}", "app").getResponseCase())
        .isEqualTo(ProcessingResponse.ResponseCase.REQUEST_BODY);
  }

  @Test
  void absurdNestingIs400() throws IOException {
    String body = "{\"model\":\"gpt-4o-mini\",\"x\":" + "[".repeat(200) + "]".repeat(200) + "}";
    assertImmediate(chat(body, "app"), 400, REQUEST_ID);
  }

  @Test
  void unknownModelIs404() throws IOException {
    JsonNode error = assertImmediate(chat("{\"model\":\"gpt-9\"}", "ops"), 404, REQUEST_ID);
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");
    assertThat(error.path("param").asText()).isEqualTo("model");
    assertThat(service.pendingRequests()).isZero();
  }

  @Test
  void modelOutsideTheConsumersListIs403() throws IOException {
    JsonNode error = assertImmediate(chat("{\"model\":\"gpt-4o\"}", "app"), 403, REQUEST_ID);
    assertThat(error.path("code").asText()).isEqualTo("model_not_allowed");
    assertThat(error.path("type").asText()).isEqualTo("permission_error");
    assertThat(service.pendingRequests()).isZero();
  }

  @Test
  void missingConsumerMetadataIs401() throws IOException {
    JsonNode error = assertImmediate(chat(CHAT, null), 401, REQUEST_ID);
    assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
    assertThat(service.pendingRequests()).isZero();
  }

  @Test
  void consumerUnknownToThePolicyIs401() throws IOException {
    JsonNode error = assertImmediate(chat(CHAT, "deleted-consumer"), 401, REQUEST_ID);
    assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
  }

  // ------------------------------------------------------------------------------- refused at headers

  @Test
  void declaredLengthOverTheLimitIs413AtHeaders() throws IOException {
    try (ProcStream stream = routerStream()) {
      ProcessingResponse response = stream.send(requestHeaders(
          postHeaders("/v1/chat/completions", REQUEST_ID, BODY_LIMIT + 1), "app", false));
      JsonNode error = assertImmediate(response, 413, REQUEST_ID);
      assertThat(error.path("code").asText()).isEqualTo("request_too_large");
    }
  }

  @Test
  void lengthAtTheLimitPassesHeaders() {
    try (ProcStream stream = routerStream()) {
      assertContinueHeaders(stream.send(requestHeaders(
          postHeaders("/v1/chat/completions", REQUEST_ID, BODY_LIMIT), "app", false)));
    }
  }

  @Test
  void bodyOverTheLimitWithoutContentLengthIs413AtBody() throws IOException {
    Map<String, String> headers = postHeaders("/v1/chat/completions", REQUEST_ID, 0);
    headers.remove("content-length");
    headers.put("transfer-encoding", "chunked");
    String body = "{\"model\":\"gpt-4o-mini\",\"pad\":\"" + "x".repeat(BODY_LIMIT) + "\"}";
    try (ProcStream stream = routerStream()) {
      assertContinueHeaders(stream.send(requestHeaders(headers, "app", false)));
      JsonNode error = assertImmediate(stream.send(requestBody(body)), 413, REQUEST_ID);
      assertThat(error.path("code").asText()).isEqualTo("request_too_large");
    }
  }

  @Test
  void getOnAModelEndpointIs405() throws IOException {
    Map<String, String> headers = new LinkedHashMap<>(postHeaders("/v1/chat/completions", REQUEST_ID, 0));
    headers.put(":method", "GET");
    headers.remove("content-length");
    try (ProcStream stream = routerStream()) {
      JsonNode error = assertImmediate(stream.send(requestHeaders(headers, "app", true)), 405, REQUEST_ID);
      assertThat(error.path("code").asText()).isEqualTo("method_not_allowed");
    }
  }

  @Test
  void postWithoutBodyIs400() throws IOException {
    try (ProcStream stream = routerStream()) {
      assertImmediate(stream.send(requestHeaders(
          postHeaders("/v1/chat/completions", REQUEST_ID, 0), "app", true)), 400, REQUEST_ID);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/models", "/", "/v1/chat/completions/extra", "/v2/chat/completions"})
  void unknownPathIsPassedOnWithoutBuffering(String path) {
    try (ProcStream stream = routerStream()) {
      ProcessingResponse response = stream.send(requestHeaders(postHeaders(path, REQUEST_ID, 10), "app", false));
      assertThat(response.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.REQUEST_HEADERS);
      assertThat(response.hasModeOverride()).isTrue();
      assertThat(response.getModeOverride().getRequestBodyMode()).isEqualTo(ProcessingMode.BodySendMode.NONE);
      assertThat(response.getModeOverride().getResponseHeaderMode()).isEqualTo(ProcessingMode.HeaderSendMode.SEND);
    }
  }

  // ------------------------------------------------------------------------------- response path

  @Test
  void eventStreamResponseSwitchesToStreamedBodyAndStampsRequestId() {
    try (ProcStream stream = routerStream()) {
      stream.send(requestHeaders(chatHeaders(REQUEST_ID, CHAT), "app", false));
      stream.send(requestBody(CHAT));
      ProcessingResponse response = stream.send(responseHeaders(
          Map.of(":status", "200", "content-type", "text/event-stream; charset=utf-8"), false));

      assertThat(response.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.RESPONSE_HEADERS);
      assertThat(response.getModeOverride().getResponseBodyMode()).isEqualTo(ProcessingMode.BodySendMode.STREAMED);
      assertThat(setHeader(response.getResponseHeaders().getResponse().getHeaderMutation().getSetHeadersList(),
          "x-tollgate-request-id")).isEqualTo(REQUEST_ID);

      ProcessingResponse chunk = stream.send(responseBody("data: {}\n\n", false));
      assertThat(chunk.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.RESPONSE_BODY);
      assertThat(chunk.getResponseBody().getResponse().hasBodyMutation()).isFalse();
    }
  }

  @Test
  void jsonResponseIsBufferedForTheResponseSideAndGetsRequestId() {
    try (ProcStream stream = routerStream()) {
      stream.send(requestHeaders(chatHeaders(REQUEST_ID, CHAT), "app", false));
      stream.send(requestBody(CHAT));
      ProcessingResponse response = stream.send(responseHeaders(
          Map.of(":status", "200", "content-type", "application/json", "content-length", "300"), false));

      assertThat(response.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.RESPONSE_HEADERS);
      // Whole, so usage headers can be added and the model name rewritten (dev.tollgate.proc.response).
      assertThat(response.getModeOverride().getResponseBodyMode()).isEqualTo(ProcessingMode.BodySendMode.BUFFERED);
      assertThat(setHeader(response.getResponseHeaders().getResponse().getHeaderMutation().getSetHeadersList(),
          "x-tollgate-request-id")).isEqualTo(REQUEST_ID);
    }
  }

  @Test
  void eventStreamWithoutBodyNeedsNoOverride() {
    try (ProcStream stream = routerStream()) {
      stream.send(requestHeaders(chatHeaders(REQUEST_ID, CHAT), "app", false));
      stream.send(requestBody(CHAT));
      ProcessingResponse response = stream.send(responseHeaders(
          Map.of(":status", "200", "content-type", "text/event-stream"), true));
      assertThat(response.hasModeOverride()).isFalse();
    }
  }

  @Test
  void responseToARequestThisStreamNeverSawIsLeftAlone() {
    try (ProcStream stream = routerStream()) {
      ProcessingResponse response = stream.send(responseHeaders(
          Map.of(":status", "401", "content-type", "application/json", "x-tollgate-request-id", REQUEST_ID), false));
      assertThat(response.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.RESPONSE_HEADERS);
      assertThat(response.getResponseHeaders().getResponse().getHeaderMutation().getSetHeadersList()).isEmpty();
    }
  }

  // ------------------------------------------------------------------------------- stream lifecycle

  @Test
  void completedStreamReleasesItsParsedBody() {
    ProcStream stream = routerStream();
    stream.send(requestHeaders(chatHeaders(REQUEST_ID, CHAT), "app", false));
    stream.send(requestBody(CHAT));
    assertThat(service.pendingRequests()).isEqualTo(1);
    stream.complete();
    assertThat(service.pendingRequests()).isZero();
  }

  @Test
  void cancelledStreamReleasesItsParsedBody() throws InterruptedException {
    ProcStream stream = routerStream();
    stream.send(requestHeaders(chatHeaders(REQUEST_ID, CHAT), "app", false));
    stream.send(requestBody(CHAT));
    assertThat(service.pendingRequests()).isEqualTo(1);
    stream.cancel();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (service.pendingRequests() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(service.pendingRequests()).isZero();
  }

  @Test
  void emptyMessageFailsTheStreamAndReleasesState() {
    ProcStream stream = routerStream();
    stream.send(requestHeaders(chatHeaders(REQUEST_ID, CHAT), "app", false));
    stream.send(requestBody(CHAT));
    stream.sendWithoutAnswer(ProcessingRequest.getDefaultInstance());
    Throwable error = stream.awaitClose();
    assertThat(error).isNotNull();
    assertThat(Status.fromThrowable(error).getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(service.pendingRequests()).isZero();
  }
}
