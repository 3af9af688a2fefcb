package dev.tollgate.proc.response;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.HeaderMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import dev.tollgate.core.openai.OpenAiError;
import dev.tollgate.proc.inspect.AuditLog;
import dev.tollgate.proc.inspect.GatewayMetrics;
import dev.tollgate.proc.inspect.RequestInspection;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response side of one request in the router-level ext_proc stream: picks how Envoy sends
 * the body (STREAMED for event streams, BUFFERED for JSON that fits the buffer limit), rewrites it
 * with {@link StreamRewriter} or {@link PlainRewriter}, and when the exchange ends hands a
 * {@link ResponseSummary} to the recorder (metrics and audit), exactly once.
 */
public final class ResponseProcessing {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseProcessing.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ResponsePlan plan;
  private final ObjectMapper json;
  private final ResponseRecorder recorder;
  private int status;
  private StreamRewriter stream;
  private GzipStreamDecoder gunzip;
  private boolean gzipFailed;
  private boolean plainBody;
  private boolean plainGzip;
  private boolean hadContentLength;
  private boolean bodyEnded;
  private Optional<TokenUsage> plainUsage = Optional.empty();
  private String plainProviderModel;
  private String uninspected;
  private boolean recorded;
  /** The budget's cap on streamed text and its settlement (dev.tollgate.proc.budget); none by default. */
  private CompletionCap cap = CompletionCap.NONE;
  private ResponseRecorder settlement = ResponseRecorder.NONE;

  public ResponseProcessing(ResponsePlan plan, ObjectMapper json, ResponseRecorder recorder) {
    this.plan = plan;
    this.json = json;
    this.recorder = recorder;
  }

  /**
   * The request side's facts, the policy's rewrites and the process's metrics and audit log, for
   * one response.
   */
  public static ResponseProcessing open(RequestInspection inspection, int bufferLimit, GatewayMetrics metrics,
      AuditLog audit) {
    ResponsePlan plan = new ResponsePlan(inspection.endpoint(), inspection.model(), inspection.clientStream(),
        UsageOptions.expected(inspection.endpoint(), inspection.clientStream(), inspection.clientAskedUsage()),
        inspection.response(), PiiTextTransform.of(inspection.pii(), inspection.pseudonyms()),
        inspection.startNanos(), bufferLimit);
    return new ResponseProcessing(plan, JSON, new InspectionRecorder(inspection, metrics, audit, null));
  }

  /**
   * Binds a stream to the request's budget reservation and settles it when the response ends,
   * before the summary is recorded (so records can carry the cost). Call before {@link #headers}.
   */
  public ResponseProcessing budget(CompletionCap streamCap, ResponseRecorder settle) {
    this.cap = streamCap;
    this.settlement = settle;
    return this;
  }

  /**
   * Adds to the answer to the response headers (which already carries the request id) and decides
   * how the body is sent.
   */
  public ProcessingResponse headers(HttpHeaders message, ProcessingResponse.Builder response) {
    Map<String, String> headers = headerMap(message);
    status = parseInt(headers.get(":status"), 0);
    HeaderMutation.Builder mutation = response.getResponseHeadersBuilder().getResponseBuilder()
        .getHeaderMutationBuilder();
    headerRewrites(headers, mutation);
    if (message.getEndOfStream()) {
      bodyEnded = true;
      return response.build();
    }
    String contentType = headers.getOrDefault("content-type", "").toLowerCase(Locale.ROOT);
    String encoding = headers.getOrDefault("content-encoding", "identity").strip().toLowerCase(Locale.ROOT);
    boolean gzip = encoding.equals("gzip") || encoding.equals("x-gzip");
    boolean identity = encoding.isEmpty() || encoding.equals("identity");
    ProcessingMode.BodySendMode mode = ProcessingMode.BodySendMode.NONE;
    if (!identity && !gzip) {
      String name = encoding.replaceAll("[^a-z0-9-]", "_");
      if (plan.text() != null) {
        return unreadableEncoding(name, mutation);
      }
      uninspected = "encoding_" + name;
    } else if (contentType.startsWith("text/event-stream")) {
      stream = new StreamRewriter(plan, json);
      stream.cap(cap);
      if (gzip) {
        gunzip = new GzipStreamDecoder();
        mutation.addRemoveHeaders("content-encoding").addRemoveHeaders("content-length");
      }
      mode = ProcessingMode.BodySendMode.STREAMED;
    } else if (contentType.contains("json") || status >= 400) {
      String length = headers.get("content-length");
      long bytes = length == null ? -1 : parseInt(length, -1);
      hadContentLength = bytes >= 0;
      if (bytes > plan.bufferLimit()) {
        uninspected = "too_large";
      } else {
        plainBody = true;
        plainGzip = gzip;
        // Without a length the body may exceed the buffer; PARTIAL then hands over the first part
        // and passes the rest, where BUFFERED would fail the response.
        mode = hadContentLength ? ProcessingMode.BodySendMode.BUFFERED : ProcessingMode.BodySendMode.BUFFERED_PARTIAL;
      }
    }
    if (mode != ProcessingMode.BodySendMode.NONE) {
      response.setModeOverride(ProcessingMode.newBuilder()
          .setRequestHeaderMode(ProcessingMode.HeaderSendMode.SEND)
          .setRequestBodyMode(ProcessingMode.BodySendMode.NONE)
          .setRequestTrailerMode(ProcessingMode.HeaderSendMode.SKIP)
          .setResponseHeaderMode(ProcessingMode.HeaderSendMode.SEND)
          .setResponseBodyMode(mode)
          .setResponseTrailerMode(ProcessingMode.HeaderSendMode.SKIP));
    } else {
      bodyEnded = true; // the body passes by; nothing more will come to this stream
    }
    return response.build();
  }

  /** The answer to one body message (the whole body when buffered, one chunk when streamed). */
  public ProcessingResponse body(HttpBody body) {
    boolean end = body.getEndOfStream();
    CommonResponse.Builder common = CommonResponse.newBuilder();
    if (stream != null) {
      streamed(body.getBody(), end, common);
    } else if (plainBody && end) {
      plain(body.getBody(), common);
    } else if (plainBody) {
      uninspected = "too_large"; // BUFFERED_PARTIAL hit the limit: the rest streams past
      bodyEnded = true; // nothing more of this body comes to the processor
    }
    if (end) {
      bodyEnded = true;
    }
    ProcessingResponse.Builder response = ProcessingResponse.newBuilder()
        .setResponseBody(BodyResponse.newBuilder().setResponse(common));
    if (end) {
      usage().ifPresent(usage -> response.setDynamicMetadata(metadata(usage)));
    }
    return response.build();
  }

  private void streamed(ByteString bytes, boolean end, CommonResponse.Builder common) {
    ByteString input = bytes;
    if (gunzip != null) {
      input = gunzipChunk(bytes, end);
    }
    ByteString out = gzipFailed && input.isEmpty() && !end ? ByteString.EMPTY : stream.accept(input, end);
    if (gunzip == null && out.equals(bytes)) {
      return; // unchanged: no mutation, Envoy sends its own bytes
    }
    common.setBodyMutation(out.isEmpty() ? BodyMutation.newBuilder().setClearBody(true)
        : BodyMutation.newBuilder().setBody(out));
  }

  private ByteString gunzipChunk(ByteString bytes, boolean end) {
    if (gzipFailed) {
      return ByteString.EMPTY;
    }
    try {
      ByteString out = gunzip.decode(bytes);
      if (end) {
        gunzip.finish();
      }
      return out;
    } catch (GzipStreamDecoder.GzipException e) {
      gzipFailed = true;
      gunzip.close();
      uninspected = "gzip_invalid";
      LOG.warn("dropping the rest of a {} stream: {}", plan.publicModel(), e.getMessage());
      return ByteString.EMPTY;
    }
  }

  private void plain(ByteString bytes, CommonResponse.Builder common) {
    byte[] body = bytes.toByteArray();
    HeaderMutation.Builder mutation = HeaderMutation.newBuilder();
    if (plainGzip) {
      try {
        body = GzipStreamDecoder.decodeAll(bytes, GzipStreamDecoder.DEFAULT_MAX_OUTPUT_BYTES).toByteArray();
      } catch (GzipStreamDecoder.GzipException e) {
        uninspected = "gzip_invalid"; // passes as sent: the client may still decode it
        return;
      }
    }
    if (!com.google.protobuf.UnsafeByteOperations.unsafeWrap(body).isValidUtf8()) {
      // Jackson refuses invalid UTF-8, and the answer would pass unread: placeholders not restored,
      // values the policy masks not masked. Read it as the stream side does, bad bytes as U+FFFD.
      body = new String(body, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    }
    PlainRewriter.Result result = new PlainRewriter(plan, json).rewrite(status, body);
    result.texts().forEach(cap::answered); // no usage: the budget estimates the completion
    plainUsage = result.usage();
    plainProviderModel = result.providerModel();
    result.headers().forEach((name, value) -> mutation.addSetHeaders(header(name, value)));
    byte[] out = result.body() != null ? result.body() : plainGzip ? body : null;
    if (out != null) {
      common.setBodyMutation(BodyMutation.newBuilder().setBody(ByteString.copyFrom(out)));
      if (plainGzip) {
        mutation.addRemoveHeaders("content-encoding");
      }
      // Envoy leaves the length to the processor when it replaces a buffered body.
      if (hadContentLength) {
        mutation.addSetHeaders(header("content-length", Integer.toString(out.length)));
      }
    }
    common.setHeaderMutation(mutation);
  }

  /**
   * The provider compressed in an encoding the gateway cannot decode, although it was asked for
   * {@code identity}, and this answer has PII work (placeholders to restore, values to mask):
   * passing it unread would deliver what the policy must not, so the client gets a 502 instead,
   * with the headers already decided (request id, limit headers).
   */
  private ProcessingResponse unreadableEncoding(String name, HeaderMutation.Builder decided) {
    status = 502;
    bodyEnded = true;
    OpenAiError error = new OpenAiError(502, "The model provider answered in content-encoding '" + name
        + "', which the gateway cannot read; this request's policy must inspect the answer, so it was not"
        + " delivered.", "api_error", null, "upstream_error");
    HeaderMutation.Builder headers = HeaderMutation.newBuilder()
        .addAllSetHeaders(decided.getSetHeadersList())
        .addSetHeaders(header("content-type", "application/json"));
    return ProcessingResponse.newBuilder()
        .setImmediateResponse(ImmediateResponse.newBuilder()
            .setStatus(HttpStatus.newBuilder().setCode(StatusCode.BadGateway))
            .setHeaders(headers)
            .setBody(ByteString.copyFromUtf8(error.toJson()))
            .setDetails("tollgate_upstream_encoding"))
        .build();
  }

  private void headerRewrites(Map<String, String> headers, HeaderMutation.Builder mutation) {
    for (String name : plan.rewrite().removeHeaders()) {
      mutation.addRemoveHeaders(name.toLowerCase(Locale.ROOT));
    }
    for (Map.Entry<String, String> rename : plan.rewrite().renameHeaders().entrySet()) {
      String from = rename.getKey().toLowerCase(Locale.ROOT);
      String value = headers.get(from);
      if (value != null) {
        mutation.addRemoveHeaders(from);
        mutation.addSetHeaders(header(rename.getValue().toLowerCase(Locale.ROOT), value));
      }
    }
  }

  private Optional<TokenUsage> usage() {
    return stream != null ? stream.usage() : plainUsage;
  }

  /** The exchange is over, however it ended; records the summary once. */
  public void end() {
    if (recorded) {
      return;
    }
    recorded = true;
    if (gunzip != null && !bodyEnded) {
      gunzip.close();
    }
    String outcome;
    if (!bodyEnded) {
      outcome = ResponseSummary.INCOMPLETE;
    } else if (stream != null && stream.ended() && !stream.sawDone()) {
      outcome = ResponseSummary.TRUNCATED;
    } else {
      outcome = ResponseSummary.COMPLETE;
    }
    ResponseSummary summary = new ResponseSummary(plan.publicModel(), plan.stream(), status, usage(),
        System.nanoTime() - plan.startNanos(), stream == null ? -1 : stream.firstTokenNanos(), outcome,
        stream == null ? 0 : stream.brokenEvents(), uninspected,
        stream == null ? plainProviderModel : stream.providerModel(),
        plan.text() == null ? null : plan.text().maskedCounts());
    try {
      settlement.record(summary);
    } catch (RuntimeException e) {
      LOG.error("settling a budget reservation failed", e);
    }
    try {
      recorder.record(summary);
    } catch (RuntimeException e) {
      LOG.error("recording a response summary failed", e);
    }
  }

  private Struct metadata(TokenUsage usage) {
    Struct fields = Struct.newBuilder()
        .putFields("prompt_tokens", number(usage.promptTokens()))
        .putFields("completion_tokens", number(usage.completionTokens()))
        .putFields("total_tokens", number(usage.totalTokens()))
        .putFields("cached_tokens", number(usage.cachedTokens()))
        .putFields("reasoning_tokens", number(usage.reasoningTokens()))
        .putFields("model", Value.newBuilder().setStringValue(plan.publicModel()).build())
        .build();
    return Struct.newBuilder()
        .putFields(UsageHeaders.METADATA_NAMESPACE, Value.newBuilder().setStructValue(fields).build())
        .build();
  }

  private static Value number(long n) {
    return Value.newBuilder().setNumberValue(n).build();
  }

  private static Map<String, String> headerMap(HttpHeaders message) {
    Map<String, String> map = new HashMap<>();
    for (HeaderValue header : message.getHeaders().getHeadersList()) {
      String value = header.getRawValue().isEmpty()
          ? header.getValue() : header.getRawValue().toString(StandardCharsets.UTF_8);
      map.putIfAbsent(header.getKey().toLowerCase(Locale.ROOT), value);
    }
    return map;
  }

  private static HeaderValueOption header(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setRawValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }

  private static int parseInt(String text, int otherwise) {
    if (text == null) {
      return otherwise;
    }
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }
}
