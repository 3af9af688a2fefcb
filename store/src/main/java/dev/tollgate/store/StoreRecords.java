package dev.tollgate.store;

import dev.tollgate.core.policy.RuntimeState;
import java.time.Instant;

/** Rows as the admin API shows them. None holds a secret except {@link CreatedKey}, once. */
public final class StoreRecords {
  private StoreRecords() {}

  /** An API key's record; the key itself is never stored, only its SHA-256. */
  public record KeyRecord(String prefix, String consumer, Instant createdAt, String createdBy, Instant expiresAt,
      Instant revokedAt, String revokedBy) {
    public String statusAt(Instant now) {
      if (revokedAt != null) {
        return "revoked";
      }
      return expiresAt != null && !now.isBefore(expiresAt) ? "expired" : "active";
    }
  }

  /** A key just created: the only moment the key exists outside the caller's hands. */
  public record CreatedKey(String key, KeyRecord record) {
    @Override
    public String toString() {
      return "CreatedKey[key=***, record=" + record + "]";
    }
  }

  public record SubscriptionRecord(String consumer, String model, RuntimeState.Status status, Instant requestedAt,
      String requestedBy, String decidedBy, Instant decidedAt) {}

  /** One line of the append-only decision log. */
  public record AuditRecord(long id, Instant at, String actor, String action, String consumer, String subject,
      String detail) {}

  /** What an admin may do with a subscription, and from which states. */
  public enum Decision {
    APPROVE("approve", "approved", RuntimeState.Status.APPROVED, RuntimeState.Status.PENDING, RuntimeState.Status.REJECTED),
    REJECT("reject", "rejected", RuntimeState.Status.REJECTED, RuntimeState.Status.PENDING),
    REVOKE("revoke", "revoked", RuntimeState.Status.REVOKED, RuntimeState.Status.APPROVED);

    private final String verb;
    private final String pastTense;
    private final RuntimeState.Status to;
    private final java.util.Set<RuntimeState.Status> from;

    Decision(String verb, String pastTense, RuntimeState.Status to, RuntimeState.Status... from) {
      this.verb = verb;
      this.pastTense = pastTense;
      this.to = to;
      this.from = java.util.EnumSet.copyOf(java.util.List.of(from));
    }

    public String verb() {
      return verb;
    }

    public String pastTense() {
      return pastTense;
    }

    public RuntimeState.Status to() {
      return to;
    }

    public java.util.Set<RuntimeState.Status> from() {
      return from;
    }

    public static java.util.Optional<Decision> ofVerb(String verb) {
      for (Decision decision : values()) {
        if (decision.verb.equals(verb)) {
          return java.util.Optional.of(decision);
        }
      }
      return java.util.Optional.empty();
    }
  }
}
