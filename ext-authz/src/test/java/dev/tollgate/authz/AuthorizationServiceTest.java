package dev.tollgate.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.Code;
import dev.tollgate.core.policy.PolicySnapshot;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** AuthorizationService over real gRPC (in-process), with CheckRequests shaped like Envoy's. */
class AuthorizationServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REQUEST_ID_PATTERN = "req_[0-9a-f]{32}";

  private final AtomicReference<PolicySnapshot> policy = new AtomicReference<>(TestPolicies.twoConsumers("v1"));
  private Server server;
  private ManagedChannel channel;

  private AuthorizationGrpc.AuthorizationBlockingStub start(List<CredentialVerifier> verifiers) throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new AuthorizationService(policy::get, verifiers))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private AuthorizationGrpc.AuthorizationBlockingStub start() throws IOException {
    return start(List.of(new ApiKeyVerifier()));
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static CheckRequest check(Map<String, String> headers) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put(":method", "POST");
    all.put(":path", "/v1/chat/completions");
    all.put(":authority", "localhost:10000");
    all.put("content-type", "application/json");
    all.putAll(headers);
    return CheckRequest.newBuilder()
        .setAttributes(AttributeContext.newBuilder()
            .setRequest(AttributeContext.Request.newBuilder()
                .setHttp(AttributeContext.HttpRequest.newBuilder()
                    .setMethod("POST")
                    .setPath("/v1/chat/completions")
                    .putAllHeaders(all))))
        .build();
  }

  private static String header(List<HeaderValueOption> headers, String name) {
    List<String> values = headers.stream()
        .filter(h -> h.getHeader().getKey().equals(name))
        .map(h -> h.getHeader().getValue())
        .toList();
    assertThat(values).as("header %s set once", name).hasSizeLessThanOrEqualTo(1);
    return values.isEmpty() ? null : values.get(0);
  }

  private static JsonNode deniedBody(CheckResponse response) throws IOException {
    return JSON.readTree(response.getDeniedResponse().getBody());
  }

  private static void assertDenied(CheckResponse response, int httpStatus, String errorCode) throws IOException {
    assertThat(response.getStatus().getCode()).isNotEqualTo(Code.OK_VALUE);
    assertThat(response.hasOkResponse()).isFalse();
    assertThat(response.hasDeniedResponse()).isTrue();
    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(httpStatus);
    List<HeaderValueOption> headers = response.getDeniedResponse().getHeadersList();
    assertThat(header(headers, "content-type")).isEqualTo("application/json");
    assertThat(header(headers, "x-tollgate-request-id")).matches(REQUEST_ID_PATTERN);
    JsonNode body = deniedBody(response);
    assertThat(body.path("error").path("code").asText()).isEqualTo(errorCode);
    assertThat(body.path("error").path("message").asText()).isNotBlank();
    assertThat(body.path("error").has("type")).isTrue();
    assertThat(body.path("error").has("param")).isTrue();
    // Nothing about who the caller is leaks into a refusal.
    assertThat(response.getDynamicMetadata().getFieldsMap()).doesNotContainKey("consumer");
  }

  @Test
  void validBearerKeyIsAllowedWithConsumerMetadata() throws IOException {
    CheckResponse response = start().check(check(Map.of("authorization", "Bearer " + TestPolicies.APP_KEY)));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(response.hasOkResponse()).isTrue();
    assertThat(response.hasDeniedResponse()).isFalse();
    assertThat(response.getDynamicMetadata().getFieldsMap().get("consumer").getStringValue()).isEqualTo("app");
    assertThat(response.getDynamicMetadata().getFieldsMap().get("credential").getStringValue()).isEqualTo("api_key");
    assertThat(response.getOkResponse().getHeadersToRemoveList()).contains("authorization");
    List<HeaderValueOption> set = response.getOkResponse().getHeadersList();
    assertThat(header(set, "x-tollgate-request-id")).matches(REQUEST_ID_PATTERN);
    assertThat(set.stream().filter(h -> h.getHeader().getKey().equals("x-tollgate-request-id")))
        .allSatisfy(h -> assertThat(h.getAppendAction())
            .isEqualTo(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
  }

  @Test
  void consumerIsTheOneTheKeyBelongsTo() throws IOException {
    CheckResponse response = start().check(check(Map.of("authorization", "Bearer " + TestPolicies.OPS_KEY)));
    assertThat(response.getDynamicMetadata().getFieldsMap().get("consumer").getStringValue()).isEqualTo("ops");
  }

  @Test
  void clientSuppliedInternalHeadersAreStrippedButRequestIdIsOverwritten() throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("authorization", "Bearer " + TestPolicies.APP_KEY);
    headers.put("x-tollgate-model", "gpt-4o");
    headers.put("x-tollgate-upstream-model", "expensive-model");
    headers.put("x-tollgate-consumer", "ops");
    headers.put("x-tollgate-request-id", "req_client_chosen");
    headers.put("x-request-id", "keep-me");

    CheckResponse response = start().check(check(headers));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(response.getOkResponse().getHeadersToRemoveList())
        .containsExactlyInAnyOrder("authorization", "x-tollgate-model", "x-tollgate-upstream-model",
            "x-tollgate-consumer");
    // The client's id is not removed (that would race the set) but replaced by a fresh one.
    String id = header(response.getOkResponse().getHeadersList(), "x-tollgate-request-id");
    assertThat(id).matches(REQUEST_ID_PATTERN).isNotEqualTo("req_client_chosen");
  }

  @Test
  void everyCheckGetsItsOwnRequestId() throws IOException {
    var stub = start();
    CheckRequest request = check(Map.of("authorization", "Bearer " + TestPolicies.APP_KEY));
    String first = header(stub.check(request).getOkResponse().getHeadersList(), "x-tollgate-request-id");
    String second = header(stub.check(request).getOkResponse().getHeadersList(), "x-tollgate-request-id");
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void missingAuthorizationIsDenied401() throws IOException {
    CheckResponse response = start().check(check(Map.of()));
    assertDenied(response, 401, "invalid_api_key");
    assertThat(deniedBody(response).path("error").path("message").asText()).contains("didn't provide an API key");
  }

  @Test
  void wrongKeyIsDenied401WithoutEchoingTheKey() throws IOException {
    String wrong = "tg-wrong-key-that-must-not-be-echoed";
    CheckResponse response = start().check(check(Map.of("authorization", "Bearer " + wrong)));
    assertDenied(response, 401, "invalid_api_key");
    assertThat(response.getDeniedResponse().getBody()).doesNotContain(wrong);
    assertThat(response.toString()).doesNotContain(wrong);
  }

  @Test
  void basicAuthIsDenied401() throws IOException {
    CheckResponse response = start().check(check(Map.of("authorization", "Basic YXBwOnNlY3JldA==")));
    assertDenied(response, 401, "invalid_api_key");
  }

  @Test
  void lowerCaseBearerIsAccepted() throws IOException {
    CheckResponse response = start().check(check(Map.of("authorization", "bearer " + TestPolicies.APP_KEY)));
    assertThat(response.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(response.getDynamicMetadata().getFieldsMap().get("consumer").getStringValue()).isEqualTo("app");
  }

  @Test
  void policySwapTakesEffectOnTheNextCheck() throws IOException {
    var stub = start();
    CheckRequest app = check(Map.of("authorization", "Bearer " + TestPolicies.APP_KEY));
    CheckRequest ops = check(Map.of("authorization", "Bearer " + TestPolicies.OPS_KEY));
    assertThat(stub.check(app).getStatus().getCode()).isEqualTo(Code.OK_VALUE);

    policy.set(TestPolicies.opsOnly("v2"));

    assertDenied(stub.check(app), 401, "invalid_api_key");
    assertThat(stub.check(ops).getStatus().getCode()).isEqualTo(Code.OK_VALUE);

    policy.set(TestPolicies.twoConsumers("v3"));
    assertThat(stub.check(app).getStatus().getCode()).isEqualTo(Code.OK_VALUE);
  }

  @Test
  void emptyPolicyDeniesEveryone() throws IOException {
    policy.set(PolicySnapshot.empty());
    assertDenied(start().check(check(Map.of("authorization", "Bearer " + TestPolicies.APP_KEY))),
        401, "invalid_api_key");
  }

  @Test
  void verifierFailureIsA500InOpenAiShapeNotAGrpcError() throws IOException {
    CredentialVerifier broken = (headers, snapshot) -> {
      throw new IllegalStateException("verifier exploded: internal-detail-xyz");
    };
    CheckResponse response = start(List.of(broken))
        .check(check(Map.of("authorization", "Bearer " + TestPolicies.APP_KEY)));

    assertDenied(response, 500, "internal_error");
    assertThat(deniedBody(response).path("error").path("type").asText()).isEqualTo("api_error");
    assertThat(response.getDeniedResponse().getBody()).doesNotContain("internal-detail-xyz");
  }

  @Test
  void policySourceFailureIsAlsoA500() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new AuthorizationService(() -> {
          throw new IllegalStateException("no policy");
        }, List.of(new ApiKeyVerifier())))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    CheckResponse response = AuthorizationGrpc.newBlockingStub(channel)
        .check(check(Map.of("authorization", "Bearer " + TestPolicies.APP_KEY)));
    assertDenied(response, 500, "internal_error");
  }

  @Test
  void verifiersAreAskedInTurnUntilOneDecides() throws IOException {
    CredentialVerifier passes = (headers, snapshot) -> Verdict.NOT_PRESENTED;
    CredentialVerifier mesh = (headers, snapshot) -> headers.containsKey("x-mesh-identity")
        ? new Verdict.Accepted(new Identity(headers.get("x-mesh-identity"), "mesh"))
        : Verdict.NOT_PRESENTED;
    var stub = start(List.of(passes, new ApiKeyVerifier(), mesh));

    CheckResponse viaMesh = stub.check(check(Map.of("x-mesh-identity", "ops")));
    assertThat(viaMesh.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(viaMesh.getDynamicMetadata().getFieldsMap().get("consumer").getStringValue())
        .isEqualTo("ops");
    assertThat(viaMesh.getDynamicMetadata().getFieldsMap().get("credential").getStringValue()).isEqualTo("mesh");

    // A rejected API key stops the chain: the mesh verifier must not rescue it.
    CheckResponse rejected = stub.check(check(Map.of(
        "authorization", "Bearer tg-wrong", "x-mesh-identity", "ops")));
    assertDenied(rejected, 401, "invalid_api_key");
  }

  @Test
  void theWholeCallerIdentityGoesDownstreamAsMetadata() throws IOException {
    policy.set(TestPolicies.policy("""
        teams:
          - name: research
            scopes: [ chat, embeddings ]
        consumers:
          - name: app
            api_keys: [ "sha256:%s" ]
            models: [ "*" ]
            team: research
            plan: gold
        """.formatted(TestPolicies.sha256Hex(TestPolicies.APP_KEY)), "v2"));
    CheckResponse response = start().check(check(Map.of("authorization", "Bearer " + TestPolicies.APP_KEY)));
    assertThat(response.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    Map<String, String> metadata = new LinkedHashMap<>();
    response.getDynamicMetadata().getFieldsMap().forEach((k, v) -> metadata.put(k, v.getStringValue()));
    assertThat(metadata).containsOnlyKeys(dev.tollgate.core.identity.CallerIdentity.KEYS);
    assertThat(metadata).containsEntry("consumer", "app").containsEntry("team", "research")
        .containsEntry("scopes", "chat embeddings").containsEntry("plan", "gold")
        .containsEntry("credential", "api_key").containsEntry("spiffe_id", "");
  }

  @Test
  void anEndpointOutsideTheConsumersRightsGets403() throws IOException {
    policy.set(TestPolicies.policy("""
        consumers:
          - name: app
            api_keys: [ "sha256:%s" ]
            models: [ "*" ]
            endpoints: [ /v1/embeddings ]
        """.formatted(TestPolicies.sha256Hex(TestPolicies.APP_KEY)), "v2"));
    assertDenied(start().check(check(Map.of("authorization", "Bearer " + TestPolicies.APP_KEY))), 403,
        "endpoint_not_allowed");
  }
}
