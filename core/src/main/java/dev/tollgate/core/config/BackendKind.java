package dev.tollgate.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The wire protocol a backend speaks. */
public enum BackendKind {
  /** OpenAI itself: a credential is required. */
  OPENAI("openai"),
  /** Any server speaking OpenAI's API (vLLM, Ollama, ...): the credential is optional. */
  OPENAI_COMPATIBLE("openai-compatible");

  private final String yamlName;

  BackendKind(String yamlName) {
    this.yamlName = yamlName;
  }

  @JsonValue
  public String yamlName() {
    return yamlName;
  }

  @JsonCreator
  public static BackendKind fromYaml(String value) {
    for (BackendKind kind : values()) {
      if (kind.yamlName.equals(value)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "unknown backend kind '" + value + "', expected one of "
            + Arrays.stream(values()).map(k -> k.yamlName).collect(Collectors.joining(", ")));
  }
}
