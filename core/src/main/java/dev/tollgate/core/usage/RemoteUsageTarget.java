package dev.tollgate.core.usage;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.stub.ClientCalls;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Delivers batches to the control plane's usage report method (split deployment). */
public final class RemoteUsageTarget implements UsageBatchTarget {
  /** A batch the control plane has not acknowledged by then is sent again. */
  private static final long DEADLINE_SECONDS = 10;

  private final Channel channel;
  private final String node;

  public RemoteUsageTarget(Channel channel, String node) {
    this.channel = channel;
    this.node = node;
  }

  @Override
  public void deliver(List<UsageRecord> batch) {
    ClientCalls.blockingUnaryCall(channel, UsageProtocol.REPORT,
        CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS), new UsageProtocol.Batch(node, batch));
  }
}
