package dev.tollgate.authz;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.policy.ConsumerPolicy;
import dev.tollgate.core.policy.EndpointAccess;
import dev.tollgate.core.http.RequestIds;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.core.policy.PolicySource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envoy's ext_authz check: the front door. It asks each credential verifier in turn, answers
 * 401 in OpenAI's shape when none accepts, and on success hands the identity to the rest of the
 * chain as dynamic metadata. It also assigns the gateway request id, because it is the first
 * filter to see every request, and strips client-supplied internal headers so no client can
 * claim an identity or steer routing.
 */
public final class AuthorizationService extends AuthorizationGrpc.AuthorizationImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(AuthorizationService.class);

  private final PolicySource policy;
  private final List<CredentialVerifier> verifiers;

  public AuthorizationService(PolicySource policy, List<CredentialVerifier> verifiers) {
    this.policy = policy;
    this.verifiers = List.copyOf(verifiers);
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> responses) {
    String requestId = RequestIds.next();
    CompletableFuture<CheckResponse> response;
    try {
      response = decide(request, requestId);
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    response.whenComplete((answer, error) -> {
      if (error != null) {
        // Fail closed with a clean body; the cause goes to the log, not to the client.
        LOG.error("ext_authz check failed for {}", requestId, error);
        answer = deny(OpenAiError.internal("The gateway could not check this request."), requestId);
      }
      responses.onNext(answer);
      responses.onCompleted();
    });
  }

  private CompletableFuture<CheckResponse> decide(CheckRequest request, String requestId) {
    PolicySnapshot snapshot = policy.current();
    AttributeContext.HttpRequest http = request.getAttributes().getRequest().getHttp();
    Map<String, String> headers = http.getHeadersMap();
    String spiffeId = PeerSpiffeId.of(request.getAttributes().getSource()).orElse("");
    for (CredentialVerifier verifier : verifiers) {
      Verdict verdict = verifier.verify(headers, snapshot);
      if (verdict instanceof Verdict.Deferred deferred) {
        return deferred.verdict().thenApply(later -> answer(later, snapshot, http, spiffeId, requestId));
      }
      if (!(verdict instanceof Verdict.NotPresented)) {
        return CompletableFuture.completedFuture(answer(verdict, snapshot, http, spiffeId, requestId));
      }
    }
    // No credential in the headers: a mesh workload may still be known by its certificate.
    Optional<String> meshConsumer = spiffeId.isEmpty() ? Optional.empty()
        : snapshot.identity().consumerForSpiffeId(spiffeId);
    if (meshConsumer.isPresent()) {
      return CompletableFuture.completedFuture(
          authorize(new Identity(meshConsumer.get(), "spiffe"), snapshot, http, spiffeId, requestId));
    }
    return CompletableFuture.completedFuture(deny(new OpenAiError(401,
        "You didn't provide an API key. Pass it as 'Authorization: Bearer <key>'.",
        "invalid_request_error", null, "invalid_api_key"), requestId));
  }

  private static CheckResponse answer(Verdict verdict, PolicySnapshot snapshot, AttributeContext.HttpRequest http,
      String spiffeId, String requestId) {
    if (verdict instanceof Verdict.Accepted accepted) {
      return authorize(accepted.identity(), snapshot, http, spiffeId, requestId);
    }
    if (verdict instanceof Verdict.Rejected rejected) {
      return deny(rejected.error(), requestId);
    }
    throw new IllegalStateException("a verifier's final verdict must accept or reject, got " + verdict);
  }

  /** Who the caller is, with its team's bounds, and whether it may call this endpoint. */
  private static CheckResponse authorize(Identity identity, PolicySnapshot snapshot,
      AttributeContext.HttpRequest http, String spiffeId, String requestId) {
    ConsumerPolicy consumer = snapshot.consumer(identity.consumer()).orElse(null);
    if (consumer == null) {
      return deny(OpenAiError.invalidApiKey(), requestId);
    }
    CallerIdentity caller = new CallerIdentity(consumer.name(), consumer.teamName(),
        consumer.effectiveScopes(identity.tokenScopes()), consumer.plan(), identity.credentialKind(), spiffeId);
    String path = http.getPath();
    int query = path.indexOf('?');
    Optional<OpenAiError> refusal = EndpointAccess.check(consumer, caller, query < 0 ? path : path.substring(0, query));
    if (refusal.isPresent()) {
      return deny(refusal.get(), requestId);
    }
    return allow(caller, http.getHeadersMap(), requestId);
  }

  private static CheckResponse allow(CallerIdentity caller, Map<String, String> headers, String requestId) {
    OkHttpResponse.Builder ok = OkHttpResponse.newBuilder()
        .addHeaders(header(TollgateHeaders.REQUEST_ID, requestId))
        // The client's key has done its job; the provider gets the gateway's own credential.
        .addHeadersToRemove("authorization");
    for (String name : headers.keySet()) {
      if (name.startsWith(TollgateHeaders.PREFIX) && !name.equals(TollgateHeaders.REQUEST_ID)) {
        ok.addHeadersToRemove(name);
      }
    }
    // Every CallerIdentity field, so ext_proc, access logs and limits read the same identity.
    Struct metadata = Struct.newBuilder()
        .putFields(CallerIdentity.CONSUMER, string(caller.consumer()))
        .putFields(CallerIdentity.TEAM, string(caller.team()))
        .putFields(CallerIdentity.SCOPES, string(caller.scopesJoined()))
        .putFields(CallerIdentity.PLAN, string(caller.plan()))
        .putFields(CallerIdentity.CREDENTIAL, string(caller.credentialKind()))
        .putFields(CallerIdentity.SPIFFE_ID, string(caller.spiffeId()))
        .build();
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(Code.OK_VALUE))
        .setOkResponse(ok)
        .setDynamicMetadata(metadata)
        .build();
  }

  private static Value string(String value) {
    return Value.newBuilder().setStringValue(value).build();
  }

  private static CheckResponse deny(OpenAiError error, String requestId) {
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(Code.PERMISSION_DENIED_VALUE))
        .setDeniedResponse(DeniedHttpResponse.newBuilder()
            .setStatus(HttpStatus.newBuilder().setCode(StatusCode.forNumber(error.status())))
            .setBody(error.toJson())
            .addHeaders(header("content-type", "application/json"))
            .addHeaders(header(TollgateHeaders.REQUEST_ID, requestId)))
        .build();
  }

  private static HeaderValueOption header(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }
}
