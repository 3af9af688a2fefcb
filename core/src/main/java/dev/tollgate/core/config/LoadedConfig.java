package dev.tollgate.core.config;

import java.util.Map;

/**
 * A validated config with defaults filled in, plus the provider keys its references resolved to
 * (by backend name; backends without a credential are absent). {@code digest} covers the
 * document's text and a digest of each credential; it becomes the snapshot version, so an
 * unchanged file never causes a push and a rotated key file always does.
 */
public record LoadedConfig(GatewayConfig config, Map<String, SecretValue> backendCredentials, String digest) {
  public LoadedConfig {
    backendCredentials = Map.copyOf(backendCredentials);
  }

  /** Credential files the config refers to; a change to one is a config change. */
  public java.util.List<java.nio.file.Path> credentialFiles() {
    return config.backends().stream()
        .map(b -> CredentialRef.parse(b.credential()))
        .flatMap(java.util.Optional::stream)
        .filter(ref -> ref.source() == CredentialRef.Source.FILE)
        .map(ref -> java.nio.file.Path.of(ref.location()))
        .distinct()
        .toList();
  }
}
