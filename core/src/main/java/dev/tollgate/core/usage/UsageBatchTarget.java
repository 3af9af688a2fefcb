package dev.tollgate.core.usage;

import java.util.List;

/**
 * Where a batch of usage records is delivered: the ledger table (control plane, all in one) or
 * the control plane over gRPC (split deployment). A batch either lands whole or throws; the
 * caller then sends the same batch again, which is safe because records are keyed by request id.
 */
@FunctionalInterface
public interface UsageBatchTarget {
  void deliver(List<UsageRecord> batch) throws Exception;
}
