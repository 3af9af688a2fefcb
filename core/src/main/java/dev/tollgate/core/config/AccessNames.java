package dev.tollgate.core.config;

import java.util.List;
import java.util.Map;

/**
 * The model endpoints a consumer can be allowed, and the scopes: one scope per endpoint family,
 * so a token's scope says which kind of call it may make, whatever the model.
 */
public final class AccessNames {
  private AccessNames() {}

  public static final String CHAT = "/v1/chat/completions";
  public static final String COMPLETIONS = "/v1/completions";
  public static final String EMBEDDINGS = "/v1/embeddings";
  public static final List<String> ENDPOINTS = List.of(CHAT, COMPLETIONS, EMBEDDINGS);

  /** Endpoint to the scope that allows it. */
  public static final Map<String, String> SCOPE_OF_ENDPOINT =
      Map.of(CHAT, "chat", COMPLETIONS, "completions", EMBEDDINGS, "embeddings");
  public static final List<String> SCOPES = List.of("chat", "completions", "embeddings");
}
