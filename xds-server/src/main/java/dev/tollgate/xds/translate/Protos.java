package dev.tollgate.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;

/** Small builders for proto fragments every factory needs. */
final class Protos {
  private Protos() {}

  static Any any(Message message) {
    return Any.pack(message);
  }

  static Duration millis(long ms) {
    return Duration.newBuilder().setSeconds(ms / 1000).setNanos((int) (ms % 1000) * 1_000_000).build();
  }

  /** Everything dynamic arrives over the one ADS stream, so all types share one version. */
  static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  static GrpcService.Builder extServices(long timeoutMs) {
    return GrpcService.newBuilder()
        .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(ResourceNames.EXT_SERVICES_CLUSTER))
        .setTimeout(millis(timeoutMs));
  }

  static HeaderValueOption setHeader(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }
}
