package dev.tollgate.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where a provider key lives: {@code env:VAR} or {@code file:PATH}. The config holds only this
 * reference, so a config file can be committed, shown and logged without leaking the key.
 */
public record CredentialRef(Source source, String location) {

  public enum Source { ENV, FILE }

  /** Empty when the text is not of either form; the validator words the problem. */
  public static Optional<CredentialRef> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    if (text.startsWith("env:") && text.length() > 4) {
      return Optional.of(new CredentialRef(Source.ENV, text.substring(4)));
    }
    if (text.startsWith("file:") && text.length() > 5) {
      return Optional.of(new CredentialRef(Source.FILE, text.substring(5)));
    }
    return Optional.empty();
  }

  /**
   * Reads the key. Files are trimmed of surrounding white space (editors add a trailing newline).
   * The message of a failure names the reference, never any content.
   */
  public SecretValue resolve(UnaryOperator<String> environment) throws CredentialException {
    String value;
    if (source == Source.ENV) {
      value = environment.apply(location);
      if (value == null || value.isBlank()) {
        throw new CredentialException("environment variable " + location + " is not set");
      }
    } else {
      try {
        value = Files.readString(Path.of(location), StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        throw new CredentialException("cannot read credential file " + location);
      }
      if (value.isBlank()) {
        throw new CredentialException("credential file " + location + " is empty");
      }
    }
    return new SecretValue(value.strip());
  }

  @Override
  public String toString() {
    return (source == Source.ENV ? "env:" : "file:") + location;
  }

  /** A reference that does not resolve; its message is safe to log. */
  public static final class CredentialException extends Exception {
    public CredentialException(String message) {
      super(message);
    }
  }
}
