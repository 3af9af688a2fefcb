package dev.tollgate.inspect.pii;

/** What happens to a value of one entity type. */
public enum PiiAction {
  /** Refuse the request; on a response, mask (a stream cannot be unsent). */
  BLOCK,
  /** Replace the value by {@code [TYPE]}. */
  MASK,
  /** Replace the value by {@code <TYPE_n>}, restored in the same request's response. */
  PSEUDONYMIZE;

  static PiiAction fromConfig(String name) {
    return switch (name) {
      case "block" -> BLOCK;
      case "mask" -> MASK;
      case "pseudonymize" -> PSEUDONYMIZE;
      default -> throw new IllegalArgumentException("unknown PII action '" + name + "'");
    };
  }

  static String mask(String entityType) {
    return "[" + entityType + "]";
  }
}
