package dev.tollgate.proc;

import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.http.RequestIds;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.core.policy.ConsumerPolicy;
import dev.tollgate.core.policy.ModelAccess;
import dev.tollgate.core.policy.PolicySnapshot;
import dev.tollgate.core.policy.PolicySource;
import dev.tollgate.proc.inspect.RequestInspection;
import dev.tollgate.proc.inspect.RequestInspector;
import dev.tollgate.proc.budget.BudgetEnforcer;
import dev.tollgate.proc.budget.BudgetReservation;
import dev.tollgate.proc.limits.LimitOutcome;
import dev.tollgate.proc.limits.RequestLimiter;
import dev.tollgate.proc.response.ResponseProcessing;
import dev.tollgate.proc.response.UsageOptions;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.HeaderMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.HeadersResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Set;

/**
 * The router-level ext_proc stream of one request: reads the buffered body once, resolves the
 * model, checks the consumer may use it, and sets the header routes match on. On the way back it
 * stamps the request id and switches streams to per-chunk processing.
 */
final class RouterStageStream extends ProcessorStream {
  static final Set<String> MODEL_ENDPOINTS = Set.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings");

  private final PolicySource policySource;
  private final PendingRequests pending;
  private final RequestBodyParser parser;
  private final RequestLimiter limiter;
  /** This request's limit decision, once taken: its headers go on the response, its slots back at the end. */
  private LimitOutcome limits;
  private PolicySnapshot policy;
  private String requestId;
  private CallerIdentity caller;
  private final RequestInspector inspector;
  /** Request-side inspection facts (dev.tollgate.proc.inspect): path, arrival, decision, status seen. */
  private String path;
  private long startNanos;
  private java.time.Instant startTime;
  private RequestInspection inspection;
  /** The response side (dev.tollgate.proc.response), from the response headers on. */
  private ResponseProcessing responseSide;
  private int responseStatus;
  /** What the gateway answered itself, if it refused the request; and the model asked for. */
  private io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse refusal;
  private String requestedModel;
  /** Budgets (dev.tollgate.proc.budget): this request's reservation, settled when it ends. */
  private final BudgetEnforcer budgets;
  private BudgetReservation reservation;
  /** The usage ledger (dev.tollgate.proc.usage): one record when the request ends; the backend that answered. */
  private final dev.tollgate.proc.usage.UsageReporter usage;
  private String backend;

  RouterStageStream(StreamObserver<ProcessingResponse> responses, PolicySource policySource,
      PendingRequests pending, RequestBodyParser parser, RequestLimiter limiter, RequestInspector inspector,
      BudgetEnforcer budgets, dev.tollgate.proc.usage.UsageReporter usage) {
    super(responses);
    this.usage = usage;
    this.budgets = budgets;
    this.policySource = policySource;
    this.pending = pending;
    this.parser = parser;
    this.limiter = limiter;
    this.inspector = inspector;
  }

  @Override
  ProcessingResponse answer(ProcessingRequest request) {
    ProcessingResponse answer = switch (request.getRequestCase()) {
      case REQUEST_HEADERS -> requestHeaders(request);
      case REQUEST_BODY -> requestBody(request.getRequestBody());
      case RESPONSE_HEADERS -> responseHeaders(request.getResponseHeaders());
      case RESPONSE_BODY -> responseSide == null
          ? Responses.CONTINUE_RESPONSE_BODY : responseSide.body(request.getResponseBody());
      case REQUEST_TRAILERS -> ProcessingResponse.newBuilder()
          .setRequestTrailers(io.envoyproxy.envoy.service.ext_proc.v3.TrailersResponse.getDefaultInstance()).build();
      case RESPONSE_TRAILERS -> ProcessingResponse.newBuilder()
          .setResponseTrailers(io.envoyproxy.envoy.service.ext_proc.v3.TrailersResponse.getDefaultInstance()).build();
      case REQUEST_NOT_SET -> throw new IllegalArgumentException("empty ext_proc message");
    };
    if (answer.hasImmediateResponse()) {
      refusal = answer.getImmediateResponse(); // audited when the stream ends
    }
    return answer;
  }

  private ProcessingResponse requestHeaders(ProcessingRequest request) {
    // One policy per request: a reload mid-request must not change the rules half way.
    policy = policySource.current();
    startNanos = System.nanoTime();
    startTime = java.time.Instant.now();
    HttpHeaders message = request.getRequestHeaders();
    Map<String, String> headers = HeaderMaps.of(message.getHeaders());
    requestId = headers.getOrDefault(TollgateHeaders.REQUEST_ID, null);
    if (requestId == null) {
      requestId = RequestIds.next();
    }
    caller = IdentityMetadata.read(request).orElse(null);
    String path = headers.getOrDefault(":path", "");
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    this.path = path;
    if (!MODEL_ENDPOINTS.contains(path)) {
      // Not ours to inspect: the catch-all route answers it. Don't buffer its body either.
      return continueWith(ProcessingMode.BodySendMode.NONE);
    }
    if (!"POST".equals(headers.get(":method"))) {
      return Responses.immediate(new OpenAiError(405, "Only POST is supported on " + path + ".",
          "invalid_request_error", null, "method_not_allowed"), requestId);
    }
    String length = headers.get("content-length");
    if (length != null && exceeds(length, policy.maxRequestBodyBytes())) {
      return Responses.immediate(OpenAiError.bodyTooLarge(policy.maxRequestBodyBytes()), requestId);
    }
    if (message.getEndOfStream()) {
      return Responses.immediate(OpenAiError.invalidRequest(
          "The request body is empty; a JSON object is required.", null), requestId);
    }
    return continueWith(ProcessingMode.BodySendMode.BUFFERED);
  }

  /**
   * Continues, and asks for the response headers of this request. The filter's own config skips
   * them, so that replies made before this stream saw the request (ext_authz's 401, or its 503
   * when the ext services are down) never call the processor: they carry their request id
   * already, and with the ext services gone that call would turn a clean 503 into a bare 500.
   * A mode override replaces the whole mode, so every field is stated.
   */
  private static ProcessingResponse continueWith(ProcessingMode.BodySendMode requestBody) {
    return ProcessingResponse.newBuilder()
        .setRequestHeaders(HeadersResponse.getDefaultInstance())
        .setModeOverride(ProcessingMode.newBuilder()
            .setRequestHeaderMode(ProcessingMode.HeaderSendMode.SEND)
            .setRequestBodyMode(requestBody)
            .setRequestTrailerMode(ProcessingMode.HeaderSendMode.SKIP)
            .setResponseHeaderMode(ProcessingMode.HeaderSendMode.SEND)
            .setResponseBodyMode(ProcessingMode.BodySendMode.NONE)
            .setResponseTrailerMode(ProcessingMode.HeaderSendMode.SKIP))
        .build();
  }

  private ProcessingResponse requestBody(HttpBody body) {
    if (body.getBody().size() > policy.maxRequestBodyBytes()) {
      return Responses.immediate(OpenAiError.bodyTooLarge(policy.maxRequestBodyBytes()), requestId);
    }
    RequestBodyParser.Outcome outcome = parser.parse(body.getBody());
    if (outcome instanceof RequestBodyParser.Refused refused) {
      return Responses.immediate(refused.error(), requestId);
    }
    ParsedRequest parsed = ((RequestBodyParser.Parsed) outcome).request();
    requestedModel = parsed.model();
    ConsumerPolicy consumer = caller == null ? null : policy.consumer(caller.consumer()).orElse(null);
    if (consumer == null) {
      // ext_authz always names the consumer; without one the request was not authenticated.
      return Responses.immediate(OpenAiError.invalidApiKey(), requestId);
    }
    if (!policy.models().contains(parsed.model())) {
      return Responses.immediate(OpenAiError.modelNotFound(parsed.model()), requestId);
    }
    // Consumer and team model lists, then the team's subscription rule (core policy decides).
    if (ModelAccess.decide(policy, consumer, parsed.model()) instanceof ModelAccess.Denied denied) {
      return Responses.immediate(denied.error(), requestId);
    }
    limits = limiter.acquire(policy.requestLimits(), caller, parsed.model());
    if (!limits.allowed()) {
      return Responses.immediate(limits.refusal(), requestId, limits.headers());
    }
    RequestInspector.Outcome inspected = inspector.inspect(new RequestInspector.Request(requestId, path, policy,
        caller, parsed.model(), parsed.stream(), parsed.body(), startNanos, startTime));
    if (inspected instanceof RequestInspector.Refuse refuse) {
      inspection = refuse.inspection();
      return Responses.immediate(refuse.error(), requestId, limits.headers());
    }
    inspection = ((RequestInspector.Proceed) inspected).inspection();
    parsed = parsed.inspected(inspection, ((RequestInspector.Proceed) inspected).bodyChanged());
    if (UsageOptions.forceIncludeUsage(path, parsed.body(), parsed.stream()).forced()) {
      parsed = parsed.inspected(inspection, true); // streams must report usage for metering
    }
    BudgetEnforcer.Decision budget = budgets.reserve(new BudgetEnforcer.Request(policy, caller, path, parsed.model(),
        parsed.body(), inspection.promptTokens()));
    if (budget instanceof BudgetEnforcer.Refuse refused) {
      inspection = null; // refused before going upstream: finish() audits it as a refusal
      Map<String, String> headers = new java.util.LinkedHashMap<>(limits.headers());
      headers.putAll(refused.headers());
      return Responses.immediate(refused.error(), requestId, headers);
    }
    reservation = ((BudgetEnforcer.Proceed) budget).reservation();
    if (((BudgetEnforcer.Proceed) budget).bodyChanged()) {
      parsed = parsed.inspected(inspection, true); // the completion cap the reservation holds
    }
    pending.put(requestId, parsed);
    return ProcessingResponse.newBuilder()
        .setRequestBody(BodyResponse.newBuilder().setResponse(Responses.common()
            .setHeaderMutation(HeaderMutation.newBuilder()
                .addSetHeaders(Responses.header(TollgateHeaders.MODEL, parsed.model()))
                .addSetHeaders(Responses.header(TollgateHeaders.REQUEST_ID, requestId))
                // The response side reads bodies; a provider may still compress (handled there).
                .addSetHeaders(Responses.header("accept-encoding", "identity")))
            // The route was picked before the model was known; pick again now.
            .setClearRouteCache(true)))
        .build();
  }

  private ProcessingResponse responseHeaders(HttpHeaders message) {
    Map<String, String> headers = HeaderMaps.of(message.getHeaders());
    if (requestId == null) {
      // Only asked for after request headers (see continueWith); answer harmlessly all the same.
      return ProcessingResponse.newBuilder().setResponseHeaders(HeadersResponse.getDefaultInstance()).build();
    }
    ProcessingResponse.Builder response = ProcessingResponse.newBuilder()
        .setResponseHeaders(HeadersResponse.newBuilder().setResponse(Responses.common()
            .setHeaderMutation(HeaderMutation.newBuilder()
                .addSetHeaders(Responses.header(TollgateHeaders.REQUEST_ID, requestId)))));
    if (limits != null) {
      limits.headers().forEach((name, value) -> response.getResponseHeadersBuilder().getResponseBuilder()
          .getHeaderMutationBuilder().addSetHeaders(Responses.header(name, value)));
    }
    responseStatus = RequestInspection.status(headers.get(":status"));
    backend = headers.get(TollgateHeaders.BACKEND); // set by the weighted cluster, not for the client
    if (reservation != null) {
      reservation.answeredBy(backend); // its price may be the backend's own
    }
    response.getResponseHeadersBuilder().getResponseBuilder().getHeaderMutationBuilder()
        .addRemoveHeaders(TollgateHeaders.BACKEND);
    if (inspection != null && inspection.guardHeader() != null) {
      response.getResponseHeadersBuilder().getResponseBuilder().getHeaderMutationBuilder()
          .addSetHeaders(Responses.header(RequestInspection.GUARD_HEADER, inspection.guardHeader()));
    }
    if (inspection != null) {
      // Usage, rewrites, PII and the body mode: dev.tollgate.proc.response.
      responseSide = ResponseProcessing.open(inspection, policy.maxRequestBodyBytes(), inspector.metrics(),
          inspector.audit());
      if (reservation != null) {
        responseSide.budget(reservation.meter(), reservation);
      }
      return responseSide.headers(message, response);
    }
    String contentType = headers.getOrDefault("content-type", "");
    if (contentType.startsWith("text/event-stream") && !message.getEndOfStream()) {
      // SSE: see every chunk as it comes, without buffering the whole answer.
      response.setModeOverride(ProcessingMode.newBuilder()
          .setRequestHeaderMode(ProcessingMode.HeaderSendMode.SEND)
          .setRequestBodyMode(ProcessingMode.BodySendMode.NONE)
          .setRequestTrailerMode(ProcessingMode.HeaderSendMode.SKIP)
          .setResponseHeaderMode(ProcessingMode.HeaderSendMode.SEND)
          .setResponseBodyMode(ProcessingMode.BodySendMode.STREAMED)
          .setResponseTrailerMode(ProcessingMode.HeaderSendMode.SKIP));
    }
    return response.build();
  }

  private static boolean exceeds(String contentLength, int limit) {
    try {
      return Long.parseLong(contentLength.strip()) > limit;
    } catch (NumberFormatException e) {
      return false; // Envoy rejects malformed lengths itself before we see them.
    }
  }

  @Override
  void finish() {
    if (limits != null) {
      limits.release();
    }
    if (requestId != null) {
      pending.remove(requestId);
    }
    if (responseSide != null) {
      responseSide.end();
    }
    if (reservation != null) {
      reservation.end(); // settles now if the response side did not (no response came)
    }
    if (inspection == null && refusal != null && path != null && MODEL_ENDPOINTS.contains(path)) {
      inspector.auditRefusal(new RequestInspector.Request(requestId, path, policy, caller, requestedModel, false,
          null, startNanos, startTime), refusal.getStatus().getCodeValue(), refusal.getBody().toStringUtf8());
    }
    if (inspection != null && inspection.claimAudit()) {
      // The response side writes the record at response end; this is for requests that ended
      // without one (client gone, upstream reset), so every request still leaves one record.
      inspector.audit().write(inspection.allowedRecord(responseStatus, null, null, null, null));
    }
    if (path != null && MODEL_ENDPOINTS.contains(path)) {
      usage.ended(new dev.tollgate.proc.usage.UsageReporter.Ended(requestId, path, startTime, startNanos, caller,
          requestedModel, backend, refusal != null ? refusal.getStatus().getCodeValue() : responseStatus,
          reservation == null ? null : reservation.settlement()));
    }
  }
}
