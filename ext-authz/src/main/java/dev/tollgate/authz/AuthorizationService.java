package dev.tollgate.authz;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.http.RequestIds;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.core.policy.PolicySource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
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
    CheckResponse response;
    try {
      response = decide(request.getAttributes().getRequest().getHttp().getHeadersMap(), requestId);
    } catch (RuntimeException e) {
      // Fail closed with a clean body; the cause goes to the log, not to the client.
      LOG.error("ext_authz check failed for {}", requestId, e);
      response = deny(OpenAiError.internal("The gateway could not check this request."), requestId);
    }
    responses.onNext(response);
    responses.onCompleted();
  }

  private CheckResponse decide(Map<String, String> headers, String requestId) {
    PolicySnapshot snapshot = policy.current();
    for (CredentialVerifier verifier : verifiers) {
      Verdict verdict = verifier.verify(headers, snapshot);
      if (verdict instanceof Verdict.Accepted accepted) {
        return allow(accepted.identity(), headers, requestId);
      }
      if (verdict instanceof Verdict.Rejected rejected) {
        return deny(rejected.error(), requestId);
      }
    }
    return deny(new OpenAiError(401,
        "You didn't provide an API key. Pass it as 'Authorization: Bearer <key>'.",
        "invalid_request_error", null, "invalid_api_key"), requestId);
  }

  private static CheckResponse allow(Identity identity, Map<String, String> headers, String requestId) {
    OkHttpResponse.Builder ok = OkHttpResponse.newBuilder()
        .addHeaders(header(TollgateHeaders.REQUEST_ID, requestId))
        // The client's key has done its job; the provider gets the gateway's own credential.
        .addHeadersToRemove("authorization");
    for (String name : headers.keySet()) {
      if (name.startsWith(TollgateHeaders.PREFIX) && !name.equals(TollgateHeaders.REQUEST_ID)) {
        ok.addHeadersToRemove(name);
      }
    }
    Struct metadata = Struct.newBuilder()
        .putFields(TollgateHeaders.CONSUMER_KEY, Value.newBuilder().setStringValue(identity.consumer()).build())
        .putFields("credential", Value.newBuilder().setStringValue(identity.credentialKind()).build())
        .build();
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(Code.OK_VALUE))
        .setOkResponse(ok)
        .setDynamicMetadata(metadata)
        .build();
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
