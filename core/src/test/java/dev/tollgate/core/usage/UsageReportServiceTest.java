package dev.tollgate.core.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The usage report method as an ext-services process calls it, with its JSON messages on the wire. */
class UsageReportServiceTest {
  private Server server;
  private ManagedChannel channel;
  private UsageReportService service;

  private RemoteUsageTarget start(UsageReportService.Writer writer) throws Exception {
    String name = InProcessServerBuilder.generateName();
    service = new UsageReportService(writer);
    server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return new RemoteUsageTarget(channel, "test");
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
    service.close();
  }

  private static UsageRecord record(String id) {
    return new UsageRecord(id, 1_700_000_000_000L, "alice", "research", "gpt-4o", "primary", "/v1/chat/completions",
        200, 12, 34, 5, 6, 789, 42, true);
  }

  @Test
  void aBatchArrivesWholeAndIsAcknowledgedOnlyOnceWritten() throws Exception {
    List<UsageRecord> written = new ArrayList<>();
    AtomicBoolean databaseDown = new AtomicBoolean(true);
    RemoteUsageTarget target = start(batch -> {
      if (databaseDown.get()) {
        throw new java.sql.SQLException("connection refused");
      }
      written.addAll(batch);
      return batch.size();
    });
    List<UsageRecord> batch = List.of(record("req_1"), record("req_2"));
    assertThatThrownBy(() -> target.deliver(batch)).isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("UNAVAILABLE").hasMessageNotContaining("connection refused");
    assertThat(written).isEmpty();
    databaseDown.set(false);
    target.deliver(batch);
    assertThat(written).containsExactlyElementsOf(batch); // every field survives the JSON round trip
  }

  @Test
  void anOversizedBatchIsRefusedWhole() throws Exception {
    RemoteUsageTarget target = start(batch -> batch.size());
    List<UsageRecord> huge = new ArrayList<>();
    for (int i = 0; i <= UsageReportService.MAX_BATCH; i++) {
      huge.add(record("req_" + i));
    }
    assertThatThrownBy(() -> target.deliver(huge)).hasMessageContaining("INVALID_ARGUMENT");
  }
}
