package dev.tollgate.proc;

import com.google.protobuf.ByteString;
import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.openai.OpenAiError;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.HeaderMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.HeadersResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.stub.StreamObserver;
import java.util.Map;

/**
 * The per-attempt ext_proc stream in a backend cluster's upstream filter chain. Envoy has picked
 * the cluster (and so the target) by now; this stage writes that target's model name into the
 * body, taken from the router stage's parsed copy, and strips the internal headers. Provider
 * translation and per-attempt fallback belong here too, for the same reason: only here is the
 * destination known.
 */
final class UpstreamStageStream extends ProcessorStream {
  private final PendingRequests pending;
  private final RequestBodyParser parser;

  UpstreamStageStream(StreamObserver<ProcessingResponse> responses, PendingRequests pending, RequestBodyParser parser) {
    super(responses);
    this.pending = pending;
    this.parser = parser;
  }

  @Override
  ProcessingResponse answer(ProcessingRequest request) {
    if (!request.hasRequestHeaders()) {
      // Configured for request headers only; anything else is answered as a no-op.
      return switch (request.getRequestCase()) {
        case REQUEST_BODY -> Responses.CONTINUE_REQUEST_BODY;
        case RESPONSE_BODY -> Responses.CONTINUE_RESPONSE_BODY;
        default -> ProcessingResponse.newBuilder()
            .setResponseHeaders(HeadersResponse.getDefaultInstance()).build();
      };
    }
    Map<String, String> headers = HeaderMaps.of(request.getRequestHeaders().getHeaders());
    String requestId = headers.get(TollgateHeaders.REQUEST_ID);
    String upstreamModel = headers.get(TollgateHeaders.UPSTREAM_MODEL);
    // Upstream filters edit the router's one copy of the request headers, and a retry starts from
    // that copy: whatever this stage removes is gone for the next attempt too. So the request id
    // and the target's model name stay (the provider may log the id; the model is in the body
    // anyway); only the routing header, which no attempt needs again, is removed.
    HeaderMutation.Builder mutation = HeaderMutation.newBuilder()
        .addRemoveHeaders(TollgateHeaders.MODEL);
    ParsedRequest parsed = requestId == null ? null : pending.get(requestId);
    if (parsed == null) {
      // Only the router stage routes requests here, so this means its state is gone (expired or
      // a restart in between). Sending the client's body under the wrong model name would be
      // worse than failing this attempt cleanly.
      return Responses.immediate(OpenAiError.internal(
          "The gateway lost track of this request; please retry."), requestId);
    }
    CommonResponse.Builder common = Responses.common();
    boolean renamed = upstreamModel != null && !upstreamModel.equals(parsed.model());
    if (renamed || parsed.bodyChanged()) {
      byte[] bytes = parser.writeWithModel(parsed.body(), renamed ? upstreamModel : parsed.model());
      mutation.addSetHeaders(Responses.header("content-length", Integer.toString(bytes.length)));
      common.setStatus(CommonResponse.ResponseStatus.CONTINUE_AND_REPLACE)
          .setBodyMutation(BodyMutation.newBuilder().setBody(ByteString.copyFrom(bytes)));
    }
    return ProcessingResponse.newBuilder()
        .setRequestHeaders(HeadersResponse.newBuilder().setResponse(common.setHeaderMutation(mutation)))
        .build();
  }

  @Override
  void finish() {
    // Nothing held per attempt; the router stage owns the parsed body.
  }
}
