package dev.tollgate.proc.usage;

import dev.tollgate.core.identity.CallerIdentity;
import dev.tollgate.core.usage.UsageRecord;
import dev.tollgate.core.usage.UsageSink;
import dev.tollgate.proc.budget.Settlement;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Turns what the router stage knows when a request ends into its one usage record and hands it to
 * the sink (which queues it; nothing here waits). Tokens and cost are the budget settlement's: the
 * provider's usage when it reported one, else the gateway's count of what was delivered.
 */
public final class UsageReporter {
  private static final int MAX_NAME = 128;

  private final UsageSink sink;

  public UsageReporter(UsageSink sink) {
    this.sink = sink;
  }

  /** What the router stage knew about one request when it ended. */
  public record Ended(String requestId, String endpoint, Instant arrived, long startNanos, CallerIdentity caller,
      String model, String backend, int status, Settlement settlement) {}

  public void ended(Ended request) {
    if (request.requestId() == null || request.requestId().length() > UsageRecord.MAX_REQUEST_ID
        || request.arrived() == null) {
      return;
    }
    Settlement charged = request.settlement() == null ? Settlement.NOTHING : request.settlement();
    CallerIdentity caller = request.caller();
    sink.accept(new UsageRecord(request.requestId(), request.arrived().toEpochMilli(),
        caller == null ? null : clip(caller.consumer()),
        caller == null || caller.team().isEmpty() ? null : clip(caller.team()),
        clip(request.model()), clip(request.backend()), clip(request.endpoint()), request.status(),
        charged.promptTokens(), charged.completionTokens(), charged.cachedTokens(), charged.reasoningTokens(),
        charged.costNanos(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.startNanos()),
        charged.estimated()));
  }

  /** Names come from config or the client's body; the ledger keeps at most 128 characters. */
  private static String clip(String text) {
    return text == null || text.length() <= MAX_NAME ? text : text.substring(0, MAX_NAME);
  }
}
