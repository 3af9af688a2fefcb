package dev.tollgate.proc;

import static dev.tollgate.proc.ProcStream.requestBody;
import static dev.tollgate.proc.ProcStream.requestHeaders;
import static dev.tollgate.proc.ProcStream.setHeader;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream ext_proc stage (per attempt, in the backend cluster), fed by a router-stage stream
 * for the same request id, both over gRPC on the one service as in production.
 */
class UpstreamStageTest extends ProcServiceFixture {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BODY = """
      {"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},\
      {"role":"user","content":"Grüße, \\"quoted\\" ✓"}],"stream":false,"temperature":0.25,\
      "max_tokens":64,"metadata":{"nested":{"list":[1,2.5,null,true]}}}""";

  private ProcStream router;

  /** Router stage for REQUEST_ID up to the parsed body; the stream stays open like a live request. */
  private void routed(String body) {
    router = routerStream();
    router.send(requestHeaders(chatHeaders(REQUEST_ID, body), "app", false));
    ProcessingResponse answer = router.send(requestBody(body));
    assertThat(answer.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.REQUEST_BODY);
  }

  @AfterEach
  void closeRouter() {
    if (router != null) {
      router.close();
    }
  }

  private static Map<String, String> upstreamHeaders(String requestId, String upstreamModel, String body) {
    Map<String, String> headers = new LinkedHashMap<>(chatHeaders(requestId, body));
    headers.put(":authority", "api.example.com");
    headers.put("x-tollgate-model", "gpt-4o-mini");
    if (upstreamModel != null) {
      headers.put("x-tollgate-upstream-model", upstreamModel);
    }
    return headers;
  }

  private ProcessingResponse attempt(String requestId, String upstreamModel) {
    try (ProcStream upstream = upstreamStream()) {
      // Envoy's upstream filter sends no ext_authz metadata: the stage works from headers alone.
      return upstream.send(requestHeaders(upstreamHeaders(requestId, upstreamModel, BODY), null, true));
    }
  }

  private static void assertInternalHeadersRemoved(CommonResponse common) {
    // Only the routing header: a retry starts from the same headers and needs the other two.
    assertThat(common.getHeaderMutation().getRemoveHeadersList()).containsExactly("x-tollgate-model");
  }

  @Test
  void differentTargetModelRewritesOnlyTheModelField() throws IOException {
    routed(BODY);

    ProcessingResponse response = attempt(REQUEST_ID, "canary-x");

    assertThat(response.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.REQUEST_HEADERS);
    CommonResponse common = response.getRequestHeaders().getResponse();
    assertThat(common.getStatus()).isEqualTo(CommonResponse.ResponseStatus.CONTINUE_AND_REPLACE);
    assertThat(common.hasBodyMutation()).isTrue();
    byte[] body = common.getBodyMutation().getBody().toByteArray();

    ObjectNode expected = (ObjectNode) JSON.readTree(BODY);
    expected.put("model", "canary-x");
    JsonNode actual = JSON.readTree(body);
    assertThat(actual).isEqualTo(expected);
    // Same fields in the same order: the provider sees the client's request, renamed.
    assertThat(iterable(actual.fieldNames())).containsExactlyElementsOf(iterable(expected.fieldNames()));

    assertThat(setHeader(common.getHeaderMutation().getSetHeadersList(), "content-length"))
        .isEqualTo(Integer.toString(body.length));
    assertInternalHeadersRemoved(common);
  }

  @Test
  void sameModelAsRequestedLeavesTheBodyAlone() {
    routed(BODY);

    ProcessingResponse response = attempt(REQUEST_ID, "gpt-4o-mini");

    CommonResponse common = response.getRequestHeaders().getResponse();
    assertThat(common.hasBodyMutation()).isFalse();
    assertThat(common.getStatus()).isNotEqualTo(CommonResponse.ResponseStatus.CONTINUE_AND_REPLACE);
    assertThat(setHeader(common.getHeaderMutation().getSetHeadersList(), "content-length")).isNull();
    assertInternalHeadersRemoved(common);
  }

  @Test
  void noUpstreamModelHeaderLeavesTheBodyAlone() {
    routed(BODY);
    CommonResponse common = attempt(REQUEST_ID, null).getRequestHeaders().getResponse();
    assertThat(common.hasBodyMutation()).isFalse();
    assertInternalHeadersRemoved(common);
  }

  @Test
  void everyAttemptStartsFromTheClientsBody() throws IOException {
    routed(BODY);
    // A retry to another target of the same model: each attempt rewrites the stored original.
    JsonNode first = JSON.readTree(attempt(REQUEST_ID, "canary-x").getRequestHeaders().getResponse()
        .getBodyMutation().getBody().toByteArray());
    JsonNode second = JSON.readTree(attempt(REQUEST_ID, "stable-y").getRequestHeaders().getResponse()
        .getBodyMutation().getBody().toByteArray());
    assertThat(first.get("model").asText()).isEqualTo("canary-x");
    assertThat(second.get("model").asText()).isEqualTo("stable-y");
    ObjectNode expected = (ObjectNode) JSON.readTree(BODY);
    expected.put("model", "stable-y");
    assertThat(second).isEqualTo(expected);
    assertThat(attempt(REQUEST_ID, "gpt-4o-mini").getRequestHeaders().getResponse().hasBodyMutation()).isFalse();
  }

  @Test
  void unknownRequestIdIs500() throws IOException {
    routed(BODY);
    ProcessingResponse response = attempt("req_ffffffffffffffffffffffffffffffff", "canary-x");
    assertLost(response, "req_ffffffffffffffffffffffffffffffff");
  }

  @Test
  void missingRequestIdIs500() throws IOException {
    routed(BODY);
    ProcessingResponse response = attempt(null, "canary-x");
    assertLost(response, null);
  }

  @Test
  void afterTheRouterStreamEndsTheRequestIsForgotten() throws IOException {
    routed(BODY);
    assertThat(service.pendingRequests()).isEqualTo(1);
    assertThat(attempt(REQUEST_ID, "canary-x").getRequestHeaders().getResponse().hasBodyMutation()).isTrue();

    router.complete();

    assertThat(service.pendingRequests()).isZero();
    assertLost(attempt(REQUEST_ID, "canary-x"), REQUEST_ID);
  }

  @Test
  void refusedRouterRequestLeavesNothingForTheUpstreamStage() throws IOException {
    router = routerStream();
    String body = "{\"model\":\"gpt-4o\"}"; // not allowed for "app"
    router.send(requestHeaders(chatHeaders(REQUEST_ID, body), "app", false));
    assertThat(router.send(requestBody(body)).getResponseCase())
        .isEqualTo(ProcessingResponse.ResponseCase.IMMEDIATE_RESPONSE);
    assertThat(service.pendingRequests()).isZero();
    assertLost(attempt(REQUEST_ID, "gpt-4o"), REQUEST_ID);
  }

  @Test
  void withoutStageMetadataTheSameHeadersAreHandledByTheRouterStage() {
    routed(BODY);
    try (ProcStream notUpstream = routerStream()) {
      ProcessingResponse response = notUpstream.send(
          requestHeaders(upstreamHeaders(REQUEST_ID, "canary-x", BODY), "app", false));
      // Router behaviour: continue and wait for the body, no rewrite.
      assertThat(response.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.REQUEST_HEADERS);
      assertThat(response.getRequestHeaders().getResponse().hasBodyMutation()).isFalse();
      assertThat(response.getRequestHeaders().getResponse().getHeaderMutation().getRemoveHeadersList()).isEmpty();
    }
  }

  @Test
  void upstreamStreamEndingDoesNotForgetTheRequest() {
    routed(BODY);
    ProcStream upstream = upstreamStream();
    upstream.send(requestHeaders(upstreamHeaders(REQUEST_ID, "canary-x", BODY), null, true));
    upstream.complete();
    // A retry comes on a new upstream stream and still needs the body.
    assertThat(service.pendingRequests()).isEqualTo(1);
    assertThat(attempt(REQUEST_ID, "canary-x").getRequestHeaders().getResponse().hasBodyMutation()).isTrue();
  }

  private static void assertLost(ProcessingResponse response, String requestId) throws IOException {
    assertThat(response.getResponseCase()).isEqualTo(ProcessingResponse.ResponseCase.IMMEDIATE_RESPONSE);
    assertThat(response.getImmediateResponse().getStatus().getCodeValue()).isEqualTo(500);
    JsonNode error = JSON.readTree(response.getImmediateResponse().getBody().toStringUtf8()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("internal_error");
    assertThat(error.path("type").asText()).isEqualTo("api_error");
    assertThat(setHeader(response.getImmediateResponse().getHeaders().getSetHeadersList(), "x-tollgate-request-id"))
        .isEqualTo(requestId);
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
    java.util.List<T> list = new java.util.ArrayList<>();
    iterator.forEachRemaining(list::add);
    return list;
  }
}
