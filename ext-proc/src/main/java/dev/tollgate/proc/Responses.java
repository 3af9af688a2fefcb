package dev.tollgate.proc;

import com.google.protobuf.ByteString;
import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.openai.OpenAiError;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.HeaderMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import java.nio.charset.StandardCharsets;

/** Builders for the few ext_proc answers Tollgate gives. */
final class Responses {
  private Responses() {}

  static final ProcessingResponse CONTINUE_RESPONSE_BODY = ProcessingResponse.newBuilder()
      .setResponseBody(BodyResponse.getDefaultInstance()).build();
  static final ProcessingResponse CONTINUE_REQUEST_BODY = ProcessingResponse.newBuilder()
      .setRequestBody(BodyResponse.getDefaultInstance()).build();

  /** A reply from the gateway itself; the request goes no further. */
  static ProcessingResponse immediate(OpenAiError error, String requestId) {
    return immediate(error, requestId, java.util.Map.of());
  }

  /** A reply from the gateway itself, with extra headers (e.g. a 429's retry-after). */
  static ProcessingResponse immediate(OpenAiError error, String requestId, java.util.Map<String, String> extraHeaders) {
    HeaderMutation.Builder headers = HeaderMutation.newBuilder()
        .addSetHeaders(header("content-type", "application/json"));
    extraHeaders.forEach((name, value) -> headers.addSetHeaders(header(name, value)));
    if (requestId != null) {
      headers.addSetHeaders(header(TollgateHeaders.REQUEST_ID, requestId));
    }
    return ProcessingResponse.newBuilder()
        .setImmediateResponse(ImmediateResponse.newBuilder()
            .setStatus(HttpStatus.newBuilder().setCode(StatusCode.forNumber(error.status())))
            .setHeaders(headers)
            .setBody(ByteString.copyFromUtf8(error.toJson()))
            .setDetails("tollgate_" + (error.code() == null ? "invalid_request" : error.code())))
        .build();
  }

  static CommonResponse.Builder common() {
    return CommonResponse.newBuilder();
  }

  static HeaderValueOption header(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setRawValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }
}
