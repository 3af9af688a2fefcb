package dev.tollgate.core.config;

import java.util.Map;

/**
 * A validated config with defaults filled in, plus the provider keys its references resolved to
 * (by backend name; backends without a credential are absent). {@code content} is the document's
 * text digest, which becomes the snapshot version, so an unchanged file never causes a push.
 */
public record LoadedConfig(GatewayConfig config, Map<String, SecretValue> backendCredentials, String digest) {
  public LoadedConfig {
    backendCredentials = Map.copyOf(backendCredentials);
  }
}
