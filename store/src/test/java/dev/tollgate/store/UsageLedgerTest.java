package dev.tollgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.config.StoreConfig;
import dev.tollgate.core.usage.UsageRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usage ledger against a real embedded H2 file database, as the control plane opens it. */
class UsageLedgerTest {
  private static final long T0 = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();
  @TempDir Path dir;
  private RuntimeStore store;
  private UsageLedger ledger;

  @BeforeEach
  void open() throws Exception {
    Path configFile = dir.resolve("tollgate.yaml");
    Files.writeString(configFile, "");
    Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
    store = RuntimeStore.open(StoreConfig.defaults(), configFile, n -> null, clock);
    ledger = UsageLedger.in(store, clock);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static UsageRecord record(String id, long at, String consumer, String team, String model, String backend,
      int status, long prompt, long completion, long cost) {
    return new UsageRecord(id, at, consumer, team, model, backend, "/v1/chat/completions", status, prompt, completion,
        1, 2, cost, 15, false);
  }

  @Test
  void aBatchDeliveredTwiceIsCountedOnce() throws Exception {
    List<UsageRecord> batch = List.of(record("req_1", T0, "alice", "research", "gpt-4o", "primary", 200, 10, 5, 100),
        record("req_2", T0 + 1, "bob", null, "gpt-4o", "primary", 200, 20, 7, 300));
    assertThat(ledger.insert(batch)).isEqualTo(2);
    assertThat(ledger.insert(batch)).isZero();
    List<UsageRecord> overlapping = List.of(batch.get(1), record("req_3", T0 + 2, "bob", null, "gpt-4o", null, 429, 0,
        0, 0));
    assertThat(ledger.insert(overlapping)).isEqualTo(1);
    assertThat(ledger.count()).isEqualTo(3);
    assertThat(ledger.find("req_1")).contains(batch.get(0));
    assertThat(ledger.find("req_9")).isEmpty();
  }

  @Test
  void copiesOfOneBatchWrittenAtOnceLandOnce() throws Exception {
    List<UsageRecord> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      batch.add(record("req_" + i, T0 + i, "alice", "research", "gpt-4o", "primary", 200, 1, 1, 1));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> writes = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        writes.add(pool.submit(() -> ledger.insert(batch)));
      }
      int inserted = 0;
      for (Future<Integer> write : writes) {
        inserted += write.get();
      }
      assertThat(inserted).isEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
    assertThat(ledger.count()).isEqualTo(200);
  }

  @Test
  void totalsGroupsAndBucketsOverATimeRange() throws Exception {
    ledger.insert(List.of(
        record("a", T0, "alice", "research", "gpt-4o", "primary", 200, 10, 5, 100),
        record("b", T0 + 30_000, "alice", "research", "gpt-4o-mini", "secondary", 200, 20, 10, 200),
        record("c", T0 + 61_000, "bob", "sales", "gpt-4o", "primary", 500, 0, 0, 0),
        record("d", T0 + 62_000, "carol", null, "gpt-4o", null, 404, 0, 0, 0),
        record("old", T0 - 3_600_000, "alice", "research", "gpt-4o", "primary", 200, 1000, 1000, 1000)));

    List<UsageLedger.Row> totals = ledger.query(new UsageLedger.Query(T0, T0 + 120_000, null, 0, Map.of()));
    assertThat(totals).singleElement().satisfies(row -> {
      assertThat(row.requests()).isEqualTo(4);
      assertThat(row.errors()).isEqualTo(2);
      assertThat(row.promptTokens()).isEqualTo(30);
      assertThat(row.completionTokens()).isEqualTo(15);
      assertThat(row.cachedTokens()).isEqualTo(4);
      assertThat(row.reasoningTokens()).isEqualTo(8);
      assertThat(row.costNanos()).isEqualTo(300);
      assertThat(row.bucketStartMs()).isEqualTo(-1);
    });

    List<UsageLedger.Row> byTeam = ledger.query(new UsageLedger.Query(T0, T0 + 120_000, "team", 0, Map.of()));
    assertThat(byTeam).extracting(UsageLedger.Row::group).containsExactly(null, "research", "sales");
    assertThat(byTeam.get(1).requests()).isEqualTo(2);

    List<UsageLedger.Row> series = ledger.query(new UsageLedger.Query(T0, T0 + 120_000, "model", 60_000,
        Map.of("consumer", "alice")));
    assertThat(series).extracting(UsageLedger.Row::group).containsExactly("gpt-4o", "gpt-4o-mini");
    assertThat(series).extracting(UsageLedger.Row::bucketStartMs).containsOnly(T0);

    List<UsageLedger.Row> perMinute = ledger.query(new UsageLedger.Query(T0, T0 + 120_000, null, 60_000, Map.of()));
    assertThat(perMinute).extracting(UsageLedger.Row::bucketStartMs).containsExactly(T0, T0 + 60_000);
    assertThat(perMinute).extracting(UsageLedger.Row::requests).containsExactly(2L, 2L);

    assertThat(ledger.query(new UsageLedger.Query(T0 + 200_000, T0 + 300_000, null, 0, Map.of()))).isEmpty();
  }

  @Test
  void onlyKnownDimensionsAndBucketsReachTheSql() {
    assertThatThrownBy(() -> new UsageLedger.Query(0, 1, "consumer; DROP TABLE usage_ledger", 0, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new UsageLedger.Query(0, 1, null, 0, Map.of("status", "200")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new UsageLedger.Query(0, 1, null, 1234, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
