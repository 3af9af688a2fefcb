package dev.tollgate.xds.translate;

import com.google.protobuf.UInt32Value;
import dev.tollgate.core.TollgateHeaders;
import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.config.ModelConfig;
import dev.tollgate.core.config.TargetConfig;
import dev.tollgate.core.openai.OpenAiError;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/**
 * Routes match the model header that ext_proc sets after reading the body. A model's targets
 * become weighted clusters, so canary splits are Envoy's decision; each weighted entry adds the
 * header that tells the upstream ext_proc stage which model name this target's backend expects.
 */
final class RouteFactory {

  RouteConfiguration routes(GatewayConfig config, FilterSet filters) {
    String routeHeader = filters.extProc() ? TollgateHeaders.MODEL : FilterSet.BENCH_ROUTE_HEADER;
    VirtualHost.Builder host = VirtualHost.newBuilder().setName("tollgate").addDomains("*");
    for (ModelConfig model : config.models()) {
      host.addRoutes(modelRoute(model, routeHeader));
    }
    // A model header that matched no route: ext_proc knew the model but Envoy does not (yet).
    host.addRoutes(Route.newBuilder()
        .setName("unknown_model")
        .setMatch(RouteMatch.newBuilder().setPrefix("/")
            .addHeaders(HeaderMatcher.newBuilder().setName(routeHeader).setPresentMatch(true)))
        .setDirectResponse(jsonResponse(new OpenAiError(404,
            "The model does not exist or you do not have access to it.",
            "invalid_request_error", "model", "model_not_found")))
        .addResponseHeadersToAdd(contentTypeJson()));
    host.addRoutes(Route.newBuilder()
        .setName("unknown_url")
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setDirectResponse(jsonResponse(new OpenAiError(404,
            "Unknown request URL. Tollgate serves POST /v1/chat/completions, /v1/completions and /v1/embeddings.",
            "invalid_request_error", null, "unknown_url")))
        .addResponseHeadersToAdd(contentTypeJson()));
    return RouteConfiguration.newBuilder()
        .setName(ResourceNames.ROUTE_CONFIG)
        .addVirtualHosts(host)
        // Internal headers must not reach clients even if an upstream echoes them.
        .addResponseHeadersToRemove(TollgateHeaders.MODEL)
        .addResponseHeadersToRemove(TollgateHeaders.UPSTREAM_MODEL)
        .build();
  }

  private static Route modelRoute(ModelConfig model, String routeHeader) {
    WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
    for (TargetConfig target : model.targets()) {
      if (target.weight() == 0) {
        continue;
      }
      weighted.addClusters(WeightedCluster.ClusterWeight.newBuilder()
          .setName(ResourceNames.backendCluster(target.backend()))
          .setWeight(UInt32Value.of(target.weight()))
          .addRequestHeadersToAdd(Protos.setHeader(TollgateHeaders.UPSTREAM_MODEL, target.model()))
          // For the usage ledger; the router-stage ext_proc reads it and removes it before the client.
          .addResponseHeadersToAdd(Protos.setHeader(TollgateHeaders.BACKEND, target.backend())));
    }
    return Route.newBuilder()
        .setName("model_" + model.name())
        .setMatch(RouteMatch.newBuilder().setPrefix("/")
            .addHeaders(HeaderMatcher.newBuilder().setName(routeHeader)
                .setStringMatch(StringMatcher.newBuilder().setExact(model.name()))))
        .setRoute(RouteAction.newBuilder()
            .setWeightedClusters(weighted)
            .setTimeout(Protos.millis(model.timeoutMs()))
            // The idle limit is per attempt (in the retry policy), so a stalled first attempt can
            // still be retried; a route-wide idle timeout would end the whole request instead.
            .setRetryPolicy(retryPolicy(model)))
        .build();
  }

  /**
   * Envoy retries only while nothing has gone to the client, so a half-sent stream is never
   * replayed. A stalled attempt counts as failed after the idle timeout, and a retry prefers
   * another endpoint of the backend when it has one.
   */
  private static RetryPolicy retryPolicy(ModelConfig model) {
    return RetryPolicy.newBuilder()
        .setRetryOn(String.join(",", model.retry().retryOn()))
        .setNumRetries(UInt32Value.of(model.retry().retries()))
        .setPerTryIdleTimeout(Protos.millis(model.idleTimeoutMs()))
        .addRetryHostPredicate(RetryPolicy.RetryHostPredicate.newBuilder()
            .setName("envoy.retry_host_predicates.previous_hosts")
            .setTypedConfig(Protos.any(PreviousHostsPredicate.getDefaultInstance())))
        .setHostSelectionRetryMaxAttempts(3)
        .build();
  }

  private static DirectResponseAction.Builder jsonResponse(OpenAiError error) {
    return DirectResponseAction.newBuilder()
        .setStatus(error.status())
        .setBody(DataSource.newBuilder().setInlineString(error.toJson()));
  }

  static HeaderValueOption contentTypeJson() {
    return Protos.setHeader("content-type", "application/json");
  }
}
