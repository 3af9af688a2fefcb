package dev.tollgate.xds.translate;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.config.GatewayConfig;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.AndFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ComparisonFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ResponseFlagFilter;
import io.envoyproxy.envoy.config.accesslog.v3.StatusCodeFilter;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.RuntimeUInt32;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.MetadataOptions;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.List;

/**
 * The client-facing listener: HTTP connection manager running ext_authz, then ext_proc, then the
 * router. Both ext filters fail closed: if Tollgate's services cannot answer, no request passes
 * unchecked. Envoy's own error replies (no upstream, timeouts, oversized bodies) are rewritten
 * to OpenAI's error shape so clients see one error format whoever answered. Unless switched off,
 * Envoy writes one JSON access-log line per request ({@link ListenerAccessLog}).
 */
final class ListenerFactory {
  /** Envoy flags for replies it makes itself when the upstream could not answer. */
  private static final List<String> UPSTREAM_FAILURE_FLAGS =
      List.of("UH", "UF", "UO", "URX", "UT", "UC", "UMSDR", "NC");

  Listener listener(GatewayConfig config, FilterSet filters) {
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("tollgate")
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .setUseRemoteAddress(com.google.protobuf.BoolValue.of(true))
        .setServerName("tollgate")
        .setNormalizePath(com.google.protobuf.BoolValue.of(true))
        .setMergeSlashes(true)
        .setRds(Rds.newBuilder().setRouteConfigName(ResourceNames.ROUTE_CONFIG).setConfigSource(Protos.ads()))
        .setLocalReplyConfig(localReplies(config.limits().maxRequestBodyBytes()));
    ListenerAccessLog.of(config.listener().accessLog()).ifPresent(hcm::addAccessLog);
    if (filters.authz()) {
      hcm.addHttpFilters(extAuthz(config.extServices().timeoutMs()));
    }
    if (filters.extProc()) {
      hcm.addHttpFilters(extProc(config.extServices().timeoutMs()));
    }
    hcm.addHttpFilters(HttpFilter.newBuilder()
        .setName("envoy.filters.http.router")
        .setTypedConfig(Protos.any(Router.getDefaultInstance())));

    return Listener.newBuilder()
        .setName(ResourceNames.LISTENER)
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
            .setAddress(config.listener().address()).setPortValue(config.listener().port())))
        // The buffered body ext_proc reads is capped by this limit; past it Envoy answers 413.
        .setPerConnectionBufferLimitBytes(UInt32Value.of(config.limits().maxRequestBodyBytes()))
        .addFilterChains(ListenerTls.apply(config.listener().tls(), FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager")
            .setTypedConfig(Protos.any(hcm.build())))))
        .build();
  }

  private static HttpFilter extAuthz(int timeoutMs) {
    ExtAuthz authz = ExtAuthz.newBuilder()
        .setGrpcService(Protos.extServices(timeoutMs))
        .setTransportApiVersion(io.envoyproxy.envoy.config.core.v3.ApiVersion.V3)
        .setFailureModeAllow(false)
        // With mesh mTLS, the client certificate carries the caller's SPIFFE ID (URI SAN).
        .setIncludePeerCertificate(true)
        .setStatusOnError(io.envoyproxy.envoy.type.v3.HttpStatus.newBuilder()
            .setCode(io.envoyproxy.envoy.type.v3.StatusCode.ServiceUnavailable))
        .build();
    return HttpFilter.newBuilder()
        .setName("envoy.filters.http.ext_authz")
        .setTypedConfig(Protos.any(authz))
        .build();
  }

  private static HttpFilter extProc(int timeoutMs) {
    ExternalProcessor extProc = ExternalProcessor.newBuilder()
        .setGrpcService(Protos.extServices(timeoutMs))
        .setFailureModeAllow(false)
        .setMessageTimeout(Protos.millis(timeoutMs))
        // Streams switch their response body to STREAMED from the response-headers answer.
        .setAllowModeOverride(true)
        .setProcessingMode(ProcessingMode.newBuilder()
            .setRequestHeaderMode(ProcessingMode.HeaderSendMode.SEND)
            .setRequestBodyMode(ProcessingMode.BodySendMode.BUFFERED)
            .setRequestTrailerMode(ProcessingMode.HeaderSendMode.SKIP)
            // Asked for per request by the processor's mode override once it has seen the request;
            // replies made before that (ext_authz's) must not reach a processor that may be down.
            .setResponseHeaderMode(ProcessingMode.HeaderSendMode.SKIP)
            .setResponseBodyMode(ProcessingMode.BodySendMode.NONE)
            .setResponseTrailerMode(ProcessingMode.HeaderSendMode.SKIP))
        // ext_authz's verdict (the consumer) reaches the processor without an extra header.
        .setMetadataOptions(MetadataOptions.newBuilder()
            .setForwardingNamespaces(MetadataOptions.MetadataNamespaces.newBuilder()
                .addUntyped(TollgateHeaders.AUTHZ_NAMESPACE))
            // Token counts the response side reports, for access logs; Envoy drops any other.
            .setReceivingNamespaces(MetadataOptions.MetadataNamespaces.newBuilder()
                .addUntyped(TollgateHeaders.USAGE_NAMESPACE)))
        .build();
    return HttpFilter.newBuilder()
        .setName("envoy.filters.http.ext_proc")
        .setTypedConfig(Protos.any(extProc))
        .build();
  }

  private static LocalReplyConfig localReplies(int maxBodyBytes) {
    AccessLogFilter upstreamFailed = AccessLogFilter.newBuilder()
        .setResponseFlagFilter(ResponseFlagFilter.newBuilder().addAllFlags(UPSTREAM_FAILURE_FLAGS))
        .build();
    return LocalReplyConfig.newBuilder()
        .addMappers(ResponseMapper.newBuilder()
            .setFilter(statusEquals(413))
            .setBodyFormatOverride(openAiError(
                "Request body is larger than the gateway's limit of " + maxBodyBytes + " bytes.",
                "invalid_request_error", "request_too_large")))
        .addMappers(ResponseMapper.newBuilder()
            // ext_authz could not be asked (Tollgate's services down): refused, fail closed.
            .setFilter(AccessLogFilter.newBuilder().setAndFilter(AndFilter.newBuilder()
                .addFilters(statusEquals(503))
                .addFilters(AccessLogFilter.newBuilder().setResponseFlagFilter(
                    ResponseFlagFilter.newBuilder().addFlags("UAEX")))))
            .setBodyFormatOverride(openAiError(
                "The gateway cannot check requests right now; nothing was sent to the model. Retry shortly.",
                "api_error", "gateway_unavailable")))
        .addMappers(ResponseMapper.newBuilder()
            .setFilter(upstreamFailed)
            .setBodyFormatOverride(openAiError(
                "The model provider could not be reached: %LOCAL_REPLY_BODY%", "api_error", "upstream_error")))
        .build();
  }

  private static AccessLogFilter statusEquals(int status) {
    return AccessLogFilter.newBuilder()
        .setStatusCodeFilter(StatusCodeFilter.newBuilder().setComparison(ComparisonFilter.newBuilder()
            .setOp(ComparisonFilter.Op.EQ)
            .setValue(RuntimeUInt32.newBuilder().setDefaultValue(status).setRuntimeKey("tollgate.unused"))))
        .build();
  }

  private static SubstitutionFormatString openAiError(String message, String type, String code) {
    Value nullValue = Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    Struct error = Struct.newBuilder()
        .putFields("message", Value.newBuilder().setStringValue(message).build())
        .putFields("type", Value.newBuilder().setStringValue(type).build())
        .putFields("param", nullValue)
        .putFields("code", Value.newBuilder().setStringValue(code).build())
        .build();
    return SubstitutionFormatString.newBuilder()
        .setJsonFormat(Struct.newBuilder().putFields("error", Value.newBuilder().setStructValue(error).build()))
        .setContentType("application/json")
        .build();
  }
}
