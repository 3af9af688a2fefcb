package dev.tollgate.core.config;

/**
 * A secret in memory. {@link #toString()} never shows it, so a secret that ends up in a log line,
 * an exception or a debug dump by accident stays hidden; only {@link #reveal()} gives it out.
 */
public final class SecretValue {
  private final String value;

  public SecretValue(String value) {
    this.value = value;
  }

  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SecretValue s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "SecretValue[***]";
  }
}
