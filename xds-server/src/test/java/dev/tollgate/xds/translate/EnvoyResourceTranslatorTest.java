package dev.tollgate.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.tollgate.core.config.ConfigLoader;
import dev.tollgate.core.config.LoadedConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.credential_injector.v3.CredentialInjector;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.http.injected_credentials.generic.v3.Generic;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvoyResourceTranslatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROVIDER_KEY = "sk-provider-secret-DO-NOT-LEAK-0123456789";
  private static final String HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  @TempDir
  Path dir;
  private LoadedConfig loaded;

  @BeforeEach
  void load() throws Exception {
    Path keyFile = dir.resolve("openai.key");
    Files.writeString(keyFile, PROVIDER_KEY + "\n");
    String yaml = """
        ext_services:
          timeout_ms: 750
        limits:
          max_request_body_bytes: 65536
        backends:
          - name: openai
            kind: openai
            credential: "file:%s"
            endpoints:
              - { host: api.openai.com, port: 443 }
          - name: vllm
            kind: openai-compatible
            endpoints:
              - { host: 10.1.2.3, port: 8000 }
        models:
          - name: gpt-4o-mini
            timeout_ms: 30000
            targets:
              - { backend: openai, model: gpt-4o-mini-2024-07-18, weight: 90 }
              - { backend: vllm, model: small-canary, weight: 10 }
              - { backend: vllm, model: parked, weight: 0 }
          - name: llama-3.1-8b
            targets:
              - { backend: vllm }
        consumers:
          - name: app
            models: [ "*" ]
        """.formatted(keyFile);
    loaded = new ConfigLoader(n -> null).parse(yaml, "tollgate.yaml");
  }

  private static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      assertThat(any.is(type)).as("Any holds %s but is %s", type.getSimpleName(), any.getTypeUrl()).isTrue();
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static HttpConnectionManager hcm(Listener listener) {
    assertThat(listener.getFilterChainsList()).hasSize(1);
    assertThat(listener.getFilterChains(0).getFiltersList()).hasSize(1);
    return unpack(listener.getFilterChains(0).getFilters(0).getTypedConfig(), HttpConnectionManager.class);
  }

  private static String header(List<HeaderValueOption> headers, String name) {
    return headers.stream().filter(h -> h.getHeader().getKey().equals(name))
        .map(h -> h.getHeader().getValue()).findFirst().orElse(null);
  }

  private Map<String, Cluster> clustersByName(EnvoyResources resources) {
    return resources.clusters().stream().collect(Collectors.toMap(Cluster::getName, Function.identity()));
  }

  // ------------------------------------------------------------------------------- listener

  @Test
  void listenerRunsExtAuthzThenExtProcThenRouterAllFailingClosed() {
    EnvoyResources resources = new EnvoyResourceTranslator(FilterSet.ALL).translate(loaded);

    assertThat(resources.listeners()).hasSize(1);
    Listener listener = resources.listeners().get(0);
    assertThat(listener.getName()).isEqualTo(ResourceNames.LISTENER);
    assertThat(listener.getAddress().getSocketAddress().getAddress()).isEqualTo("127.0.0.1");
    assertThat(listener.getAddress().getSocketAddress().getPortValue()).isEqualTo(10000);
    assertThat(listener.getPerConnectionBufferLimitBytes().getValue()).isEqualTo(65536);

    HttpConnectionManager hcm = hcm(listener);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo(ResourceNames.ROUTE_CONFIG);
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    assertThat(hcm.getHttpFiltersList()).extracting(HttpFilter::getName)
        .containsExactly("envoy.filters.http.ext_authz", "envoy.filters.http.ext_proc", "envoy.filters.http.router");

    ExtAuthz authz = unpack(hcm.getHttpFilters(0).getTypedConfig(), ExtAuthz.class);
    assertThat(authz.getFailureModeAllow()).isFalse();
    assertThat(authz.getGrpcService().getEnvoyGrpc().getClusterName()).isEqualTo(ResourceNames.EXT_SERVICES_CLUSTER);
    assertThat(authz.getGrpcService().getTimeout().getNanos()).isEqualTo(750_000_000);

    ExternalProcessor proc = unpack(hcm.getHttpFilters(1).getTypedConfig(), ExternalProcessor.class);
    assertThat(proc.getFailureModeAllow()).isFalse();
    assertThat(proc.getGrpcService().getEnvoyGrpc().getClusterName()).isEqualTo(ResourceNames.EXT_SERVICES_CLUSTER);
    // The router stage never gets stage metadata: that is what tells the two stages apart.
    assertThat(proc.getGrpcService().getInitialMetadataList()).isEmpty();
    assertThat(proc.getProcessingMode().getRequestBodyMode()).isEqualTo(ProcessingMode.BodySendMode.BUFFERED);
    // Off by default: the processor asks for them per request, so ext_authz's own replies never
    // depend on a processor that may be down.
    assertThat(proc.getProcessingMode().getResponseHeaderMode()).isEqualTo(ProcessingMode.HeaderSendMode.SKIP);
    assertThat(proc.getAllowModeOverride()).as("SSE switches to STREAMED by mode override").isTrue();
    assertThat(proc.getMetadataOptions().getForwardingNamespaces().getUntypedList())
        .containsExactly("envoy.filters.http.ext_authz");
  }

  @Test
  void withoutExtFiltersOnlyTheRouterRemainsAndClientsRouteByTheBenchHeader() {
    EnvoyResources plain = new EnvoyResourceTranslator(FilterSet.NONE).translate(loaded);
    assertThat(hcm(plain.listeners().get(0)).getHttpFiltersList()).extracting(HttpFilter::getName)
        .containsExactly("envoy.filters.http.router");
    assertThat(plain.routes().get(0).getVirtualHosts(0).getRoutes(0).getMatch().getHeaders(0).getName())
        .isEqualTo(FilterSet.BENCH_ROUTE_HEADER);
  }

  @Test
  void authzOnlyKeepsExtAuthzAndDropsBothExtProcStages() throws Exception {
    EnvoyResources authz = new EnvoyResourceTranslator(FilterSet.AUTHZ_ONLY).translate(loaded);
    assertThat(hcm(authz.listeners().get(0)).getHttpFiltersList()).extracting(HttpFilter::getName)
        .containsExactly("envoy.filters.http.ext_authz", "envoy.filters.http.router");
    for (Cluster cluster : authz.clusters()) {
      var options = cluster.getTypedExtensionProtocolOptionsMap().get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
          .unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
      assertThat(options.getHttpFiltersList()).extracting(HttpFilter::getName)
          .doesNotContain("envoy.filters.http.ext_proc");
    }
  }

  // ------------------------------------------------------------------------------- routes

  @Test
  void oneRoutePerModelOnTheModelHeaderThenTheCatchAlls() throws IOException {
    List<RouteConfiguration> routes = new EnvoyResourceTranslator(FilterSet.ALL).translate(loaded).routes();
    assertThat(routes).hasSize(1);
    RouteConfiguration config = routes.get(0);
    assertThat(config.getName()).isEqualTo(ResourceNames.ROUTE_CONFIG);
    assertThat(config.getResponseHeadersToRemoveList()).contains("x-tollgate-model", "x-tollgate-upstream-model");
    assertThat(config.getVirtualHostsList()).hasSize(1);
    VirtualHost host = config.getVirtualHosts(0);
    assertThat(host.getDomainsList()).containsExactly("*");

    // Order matters: Envoy takes the first match, so the catch-alls come last.
    assertThat(host.getRoutesList()).extracting(Route::getName)
        .containsExactly("model_gpt-4o-mini", "model_llama-3.1-8b", "unknown_model", "unknown_url");

    Route mini = host.getRoutes(0);
    assertThat(mini.getMatch().getHeadersList()).hasSize(1);
    assertThat(mini.getMatch().getHeaders(0).getName()).isEqualTo("x-tollgate-model");
    assertThat(mini.getMatch().getHeaders(0).getStringMatch().getExact()).isEqualTo("gpt-4o-mini");
    assertThat(mini.getRoute().getTimeout().getSeconds()).isEqualTo(30);

    List<WeightedCluster.ClusterWeight> split = mini.getRoute().getWeightedClusters().getClustersList();
    assertThat(split).extracting(WeightedCluster.ClusterWeight::getName)
        .containsExactly("backend_openai", "backend_vllm");
    assertThat(split).extracting(w -> w.getWeight().getValue()).containsExactly(90, 10);
    assertThat(split).extracting(w -> header(w.getRequestHeadersToAddList(), "x-tollgate-upstream-model"))
        .containsExactly("gpt-4o-mini-2024-07-18", "small-canary");
    assertThat(split).flatExtracting(WeightedCluster.ClusterWeight::getRequestHeadersToAddList)
        .allSatisfy(h -> assertThat(h.getAppendAction())
            .isEqualTo(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
    assertThat(split).flatExtracting(WeightedCluster.ClusterWeight::getRequestHeadersToAddList)
        .extracting(h -> h.getHeader().getValue()).doesNotContain("parked");

    Route llama = host.getRoutes(1);
    assertThat(llama.getMatch().getHeaders(0).getStringMatch().getExact()).isEqualTo("llama-3.1-8b");
    assertThat(llama.getRoute().getTimeout().getSeconds()).isEqualTo(300);
    assertThat(llama.getRoute().getWeightedClusters().getClustersList()).singleElement()
        .satisfies(w -> assertThat(header(w.getRequestHeadersToAddList(), "x-tollgate-upstream-model"))
            .as("target model defaults to the public name").isEqualTo("llama-3.1-8b"));

    Route unknownModel = host.getRoutes(2);
    assertThat(unknownModel.getMatch().getHeaders(0).getName()).isEqualTo("x-tollgate-model");
    assertThat(unknownModel.getMatch().getHeaders(0).getPresentMatch()).isTrue();
    assertThat(unknownModel.getDirectResponse().getStatus()).isEqualTo(404);
    JsonNode modelError = JSON.readTree(unknownModel.getDirectResponse().getBody().getInlineString()).path("error");
    assertThat(modelError.path("code").asText()).isEqualTo("model_not_found");
    assertThat(modelError.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(header(unknownModel.getResponseHeadersToAddList(), "content-type")).isEqualTo("application/json");

    Route unknownUrl = host.getRoutes(3);
    assertThat(unknownUrl.getMatch().getPrefix()).isEqualTo("/");
    assertThat(unknownUrl.getMatch().getHeadersList()).isEmpty();
    assertThat(unknownUrl.getDirectResponse().getStatus()).isEqualTo(404);
    JsonNode urlError = JSON.readTree(unknownUrl.getDirectResponse().getBody().getInlineString()).path("error");
    assertThat(urlError.path("code").asText()).isEqualTo("unknown_url");
    assertThat(urlError.has("param")).isTrue();
    assertThat(header(unknownUrl.getResponseHeadersToAddList(), "content-type")).isEqualTo("application/json");
  }

  // ------------------------------------------------------------------------------- clusters

  @Test
  void oneClusterPerBackendPlusTheExtServices() {
    EnvoyResources resources = new EnvoyResourceTranslator(FilterSet.ALL).translate(loaded);
    assertThat(resources.clusters()).extracting(Cluster::getName)
        .containsExactlyInAnyOrder("tollgate_ext_services", "backend_openai", "backend_vllm");

    Cluster ext = clustersByName(resources).get("tollgate_ext_services");
    HttpProtocolOptions extOptions = unpack(ext.getTypedExtensionProtocolOptionsOrThrow(HTTP_OPTIONS),
        HttpProtocolOptions.class);
    assertThat(extOptions.getExplicitHttpConfig().hasHttp2ProtocolOptions()).as("gRPC needs HTTP/2").isTrue();
    assertThat(ext.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress()
        .getSocketAddress().getPortValue()).isEqualTo(18000);
  }

  @Test
  void backendWithCredentialInjectsItAfterTheUpstreamExtProc() {
    Cluster openai = clustersByName(new EnvoyResourceTranslator(FilterSet.ALL).translate(loaded)).get("backend_openai");
    HttpProtocolOptions options = unpack(openai.getTypedExtensionProtocolOptionsOrThrow(HTTP_OPTIONS),
        HttpProtocolOptions.class);
    assertThat(options.getHttpFiltersList()).extracting(HttpFilter::getName).containsExactly(
        "envoy.filters.http.ext_proc", "envoy.filters.http.credential_injector", "envoy.filters.http.upstream_codec");

    ExternalProcessor proc = unpack(options.getHttpFilters(0).getTypedConfig(), ExternalProcessor.class);
    assertThat(proc.getFailureModeAllow()).isFalse();
    assertThat(proc.getGrpcService().getInitialMetadataList())
        .anySatisfy(m -> {
          assertThat(m.getKey()).isEqualTo("x-tollgate-ext-proc-stage");
          assertThat(m.getValue()).isEqualTo("upstream");
        });
    assertThat(proc.getProcessingMode().getRequestHeaderMode()).isEqualTo(ProcessingMode.HeaderSendMode.SEND);
    assertThat(proc.getProcessingMode().getRequestBodyMode()).isEqualTo(ProcessingMode.BodySendMode.NONE);

    CredentialInjector injector = unpack(options.getHttpFilters(1).getTypedConfig(), CredentialInjector.class);
    assertThat(injector.getOverwrite()).as("client Authorization must never reach the provider").isTrue();
    Generic generic = unpack(injector.getCredential().getTypedConfig(), Generic.class);
    assertThat(generic.getHeader()).isEqualToIgnoringCase("authorization");
    assertThat(generic.getCredential().getName()).isEqualTo(ResourceNames.credentialSecret("openai"));
    assertThat(generic.getCredential().getSdsConfig().hasAds()).isTrue();
    assertThat(openai.toString()).doesNotContain(PROVIDER_KEY);
  }

  @Test
  void backendWithoutCredentialHasNoInjector() {
    Cluster vllm = clustersByName(new EnvoyResourceTranslator(FilterSet.ALL).translate(loaded)).get("backend_vllm");
    HttpProtocolOptions options = unpack(vllm.getTypedExtensionProtocolOptionsOrThrow(HTTP_OPTIONS),
        HttpProtocolOptions.class);
    assertThat(options.getHttpFiltersList()).extracting(HttpFilter::getName)
        .containsExactly("envoy.filters.http.ext_proc", "envoy.filters.http.upstream_codec");
  }

  @Test
  void tlsOnlyForTlsEndpointsAndDnsOnlyForNames() {
    Map<String, Cluster> clusters = clustersByName(new EnvoyResourceTranslator(FilterSet.ALL).translate(loaded));
    Cluster openai = clusters.get("backend_openai");
    assertThat(openai.hasTransportSocket()).isTrue();
    UpstreamTlsContext tls = unpack(openai.getTransportSocket().getTypedConfig(), UpstreamTlsContext.class);
    assertThat(tls.getSni()).isEqualTo("api.openai.com");
    assertThat(tls.getCommonTlsContext().getValidationContext().hasSystemRootCerts()).isTrue();
    assertThat(openai.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);

    Cluster vllm = clusters.get("backend_vllm");
    assertThat(vllm.hasTransportSocket()).isFalse();
    assertThat(vllm.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    var address = vllm.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress();
    assertThat(address.getAddress()).isEqualTo("10.1.2.3");
    assertThat(address.getPortValue()).isEqualTo(8000);

    assertThat(clusters.get("tollgate_ext_services").hasTransportSocket()).isFalse();
  }

  // ------------------------------------------------------------------------------- secrets

  @Test
  void oneSecretPerCredentialHoldingTheAuthorizationValue() {
    List<Secret> secrets = new EnvoyResourceTranslator(FilterSet.ALL).translate(loaded).secrets();
    assertThat(secrets).singleElement().satisfies(secret -> {
      assertThat(secret.getName()).isEqualTo("credential_openai");
      // The trailing newline of the key file is not part of the key.
      assertThat(secret.getGenericSecret().getSecret().getInlineString()).isEqualTo("Bearer " + PROVIDER_KEY);
    });
  }

  @Test
  void theKeyAppearsNowhereButInTheSecret() {
    EnvoyResources resources = new EnvoyResourceTranslator(FilterSet.ALL).translate(loaded);
    assertThat(resources.toString()).doesNotContain(PROVIDER_KEY).doesNotContain("Bearer");
    assertThat(resources.listeners().toString()).doesNotContain(PROVIDER_KEY);
    assertThat(resources.routes().toString()).doesNotContain(PROVIDER_KEY);
    assertThat(resources.clusters().toString()).doesNotContain(PROVIDER_KEY);
    assertThat(loaded.toString()).doesNotContain(PROVIDER_KEY);

    String bootstrap = StaticBootstrap.json(resources, "127.0.0.1", 18000);
    assertThat(bootstrap).doesNotContain(PROVIDER_KEY).contains("credential_openai").contains("Bearer redacted");
  }

  @Test
  void staticBootstrapInlinesTheSameRoutesAndClusters() throws IOException {
    EnvoyResources resources = new EnvoyResourceTranslator(FilterSet.ALL).translate(loaded);
    JsonNode bootstrap = JSON.readTree(StaticBootstrap.json(resources, "127.0.0.1", 18000));
    JsonNode statics = bootstrap.path("staticResources");
    assertThat(statics.path("clusters").findValuesAsText("name"))
        .contains("tollgate_ext_services", "backend_openai", "backend_vllm", "tollgate_xds");
    JsonNode hcm = statics.path("listeners").get(0).path("filterChains").get(0).path("filters").get(0).path("typedConfig");
    assertThat(hcm.has("rds")).isFalse();
    assertThat(hcm.path("routeConfig").path("name").asText()).isEqualTo(ResourceNames.ROUTE_CONFIG);
    assertThat(hcm.path("routeConfig").path("virtualHosts").get(0).path("routes")).hasSize(4);
  }
}
