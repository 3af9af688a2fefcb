package dev.tollgate.store;

/**
 * A refused change. The message is for the admin who asked and names no secret; {@link Reason}
 * picks the HTTP status.
 */
public final class StoreException extends Exception {
  public enum Reason { NOT_FOUND, CONFLICT }

  private final Reason reason;

  public StoreException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
