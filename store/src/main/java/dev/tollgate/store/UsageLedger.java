package dev.tollgate.store;

import dev.tollgate.core.usage.UsageRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage ledger: one row per request in {@code usage_ledger}, in the control plane's store
 * (H2 or PostgreSQL, the same SQL for both). Rows are inserted if absent, keyed by request id, so
 * a batch delivered twice (its acknowledgement was lost, the sender resent it) is counted once.
 * Times are epoch milliseconds, indexed for time-range queries.
 */
public final class UsageLedger {
  private static final Logger LOG = LoggerFactory.getLogger(UsageLedger.class);

  /** The dimensions usage can be grouped and filtered by: API name to column. */
  public static final Map<String, String> DIMENSIONS = Map.of(
      "team", "team", "consumer", "consumer", "model", "model", "backend", "backend");

  private static final String[] SCHEMA = {
      """
      CREATE TABLE IF NOT EXISTS usage_ledger (
        request_id VARCHAR(128) PRIMARY KEY,
        at BIGINT NOT NULL,
        consumer VARCHAR(128),
        team VARCHAR(128),
        model VARCHAR(128),
        backend VARCHAR(128),
        endpoint VARCHAR(128),
        status INT NOT NULL,
        prompt_tokens BIGINT NOT NULL,
        completion_tokens BIGINT NOT NULL,
        cached_tokens BIGINT NOT NULL,
        reasoning_tokens BIGINT NOT NULL,
        cost_nanos BIGINT NOT NULL,
        latency_ms BIGINT NOT NULL,
        estimated BOOLEAN NOT NULL,
        recorded_at BIGINT NOT NULL
      )""",
      "CREATE INDEX IF NOT EXISTS usage_ledger_at ON usage_ledger (at)",
      "CREATE INDEX IF NOT EXISTS usage_ledger_consumer_at ON usage_ledger (consumer, at)",
      "CREATE INDEX IF NOT EXISTS usage_ledger_team_at ON usage_ledger (team, at)"
  };

  private static final String INSERT = "INSERT INTO usage_ledger (request_id, at, consumer, team, model, backend, "
      + "endpoint, status, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_nanos, latency_ms, "
      + "estimated, recorded_at) SELECT CAST(? AS VARCHAR(128)), CAST(? AS BIGINT), CAST(? AS VARCHAR(128)), "
      + "CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(128)), "
      + "CAST(? AS INT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), "
      + "CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BOOLEAN), CAST(? AS BIGINT) "
      + "WHERE NOT EXISTS (SELECT 1 FROM usage_ledger WHERE request_id = ?)";

  private final DataSource dataSource;
  private final Clock clock;

  private UsageLedger(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** The ledger in the runtime store's database; creates its table and indexes if missing. */
  public static UsageLedger in(RuntimeStore store, Clock clock) throws SQLException {
    UsageLedger ledger = new UsageLedger(store.dataSource(), clock);
    try (Connection connection = ledger.dataSource.getConnection()) {
      connection.setAutoCommit(true);
      for (String statement : SCHEMA) {
        try (Statement create = connection.createStatement()) {
          create.execute(statement);
        } catch (SQLException e) {
          // Another replica created it at the same moment (PostgreSQL's IF NOT EXISTS is not atomic).
          if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
            throw e;
          }
        }
      }
    }
    return ledger;
  }

  /**
   * Writes the records not already in the ledger, in one transaction.
   *
   * @return how many were new
   */
  public int insert(List<UsageRecord> batch) throws SQLException {
    if (batch.isEmpty()) {
      return 0;
    }
    long now = clock.millis();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
        for (UsageRecord record : batch) {
          bind(insert, record, now);
          insert.addBatch();
        }
        int inserted = 0;
        for (int count : insert.executeBatch()) {
          inserted += count > 0 ? count : 0;
        }
        connection.commit();
        return inserted;
      } catch (SQLException e) {
        connection.rollback();
        // Usually a copy of this batch being written at the same moment (a resend that overtook
        // a slow original): the check-then-insert lost a race. Row by row, duplicates skipped.
        LOG.debug("usage batch failed ({}); writing it row by row", e.getSQLState());
      }
      connection.setAutoCommit(true);
      int inserted = 0;
      try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
        for (UsageRecord record : batch) {
          bind(insert, record, now);
          try {
            inserted += insert.executeUpdate();
          } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
              throw e;
            }
          }
        }
      }
      return inserted;
    }
  }

  private static void bind(PreparedStatement insert, UsageRecord record, long now) throws SQLException {
    insert.setString(1, record.requestId());
    insert.setLong(2, record.timeMs());
    text(insert, 3, record.consumer());
    text(insert, 4, record.team());
    text(insert, 5, record.model());
    text(insert, 6, record.backend());
    text(insert, 7, record.endpoint());
    insert.setInt(8, record.status());
    insert.setLong(9, record.promptTokens());
    insert.setLong(10, record.completionTokens());
    insert.setLong(11, record.cachedTokens());
    insert.setLong(12, record.reasoningTokens());
    insert.setLong(13, record.costNanos());
    insert.setLong(14, record.latencyMs());
    insert.setBoolean(15, record.estimated());
    insert.setLong(16, now);
    insert.setString(17, record.requestId());
  }

  private static void text(PreparedStatement statement, int index, String value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.VARCHAR);
    } else {
      statement.setString(index, value.length() > 128 ? value.substring(0, 128) : value);
    }
  }

  /**
   * A usage question: a time range, optionally grouped by one dimension and cut into buckets,
   * optionally narrowed to one value of some dimensions.
   *
   * @param fromMs inclusive, epoch ms
   * @param toMs exclusive, epoch ms
   * @param groupBy a key of {@link #DIMENSIONS}, or null for one group
   * @param bucketMs bucket width (minute, hour or day in ms), or 0 for totals over the range
   * @param filters dimension name to the value it must have
   */
  public record Query(long fromMs, long toMs, String groupBy, long bucketMs, Map<String, String> filters) {
    public Query {
      filters = filters == null ? Map.of() : Map.copyOf(filters);
      if (groupBy != null && !DIMENSIONS.containsKey(groupBy)) {
        throw new IllegalArgumentException("not a usage dimension: " + groupBy);
      }
      for (String name : filters.keySet()) {
        if (!DIMENSIONS.containsKey(name)) {
          throw new IllegalArgumentException("not a usage dimension: " + name);
        }
      }
      if (bucketMs < 0 || (bucketMs > 0 && bucketMs != 60_000L && bucketMs != 3_600_000L && bucketMs != 86_400_000L)) {
        throw new IllegalArgumentException("bucket must be a minute, an hour or a day");
      }
    }
  }

  /**
   * One line of an answer.
   *
   * @param group the group's value (null: the dimension was not recorded, or no grouping)
   * @param bucketStartMs the bucket's start, epoch ms; -1 for totals
   * @param errors requests answered with a status of 400 or more, or that ended without one
   */
  public record Row(String group, long bucketStartMs, long requests, long errors, long promptTokens,
      long completionTokens, long cachedTokens, long reasoningTokens, long costNanos) {
    public long totalTokens() {
      return promptTokens + completionTokens;
    }
  }

  /** Sums per group (and per bucket), groups in name order, buckets in time order. */
  public List<Row> query(Query query) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ");
    String group = query.groupBy() == null ? null : DIMENSIONS.get(query.groupBy());
    // The bucket width is one of three constants (checked in Query), written into the SQL so the
    // same expression can be grouped by on both databases.
    String bucket = query.bucketMs() == 0 ? null : "(at / " + query.bucketMs() + ") * " + query.bucketMs();
    sql.append(group == null ? "CAST(NULL AS VARCHAR(128))" : group).append(", ")
        .append(bucket == null ? "CAST(-1 AS BIGINT)" : bucket)
        .append(", COUNT(*), SUM(CASE WHEN status >= 400 OR status = 0 THEN 1 ELSE 0 END), SUM(prompt_tokens), "
            + "SUM(completion_tokens), SUM(cached_tokens), SUM(reasoning_tokens), SUM(cost_nanos) "
            + "FROM usage_ledger WHERE at >= ? AND at < ?");
    List<String> values = new ArrayList<>();
    for (var filter : query.filters().entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
      sql.append(" AND ").append(DIMENSIONS.get(filter.getKey())).append(" = ?");
      values.add(filter.getValue());
    }
    List<String> groupBy = new ArrayList<>();
    if (group != null) {
      groupBy.add(group);
    }
    if (bucket != null) {
      groupBy.add(bucket);
    }
    if (!groupBy.isEmpty()) {
      // NULLS FIRST spelled out: H2 and PostgreSQL order nulls differently by default.
      sql.append(" GROUP BY ").append(String.join(", ", groupBy)).append(" ORDER BY ")
          .append(String.join(" NULLS FIRST, ", groupBy)).append(" NULLS FIRST");
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(sql.toString())) {
      select.setLong(1, query.fromMs());
      select.setLong(2, query.toMs());
      for (int i = 0; i < values.size(); i++) {
        select.setString(3 + i, values.get(i));
      }
      List<Row> rows = new ArrayList<>();
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          long requests = result.getLong(3);
          if (requests == 0) {
            continue; // no grouping over an empty range still yields one row of nulls
          }
          rows.add(new Row(result.getString(1), result.getLong(2), requests, result.getLong(4), result.getLong(5),
              result.getLong(6), result.getLong(7), result.getLong(8), result.getLong(9)));
        }
      }
      return rows;
    }
  }

  /** One request's record, if the ledger has it. */
  public java.util.Optional<UsageRecord> find(String requestId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT request_id, at, consumer, team, model, backend, "
            + "endpoint, status, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_nanos, "
            + "latency_ms, estimated FROM usage_ledger WHERE request_id = ?")) {
      select.setString(1, requestId);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return java.util.Optional.empty();
        }
        return java.util.Optional.of(new UsageRecord(row.getString(1), row.getLong(2), row.getString(3),
            row.getString(4), row.getString(5), row.getString(6), row.getString(7), row.getInt(8), row.getLong(9),
            row.getLong(10), row.getLong(11), row.getLong(12), row.getLong(13), row.getLong(14), row.getBoolean(15)));
      }
    }
  }

  /** Number of rows, for tests and the log. */
  public long count() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM usage_ledger");
        ResultSet result = select.executeQuery()) {
      result.next();
      return result.getLong(1);
    }
  }
}
