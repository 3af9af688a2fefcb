package dev.tollgate.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.core.Sha256;
import dev.tollgate.core.config.CredentialRef;
import dev.tollgate.core.config.StoreConfig;
import dev.tollgate.core.policy.ApiKeyFormat;
import dev.tollgate.core.policy.RuntimeState;
import dev.tollgate.store.StoreRecords.AuditRecord;
import dev.tollgate.store.StoreRecords.CreatedKey;
import dev.tollgate.store.StoreRecords.Decision;
import dev.tollgate.store.StoreRecords.KeyRecord;
import dev.tollgate.store.StoreRecords.SubscriptionRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's durable runtime state over JDBC: API keys created at run time (prefix and
 * SHA-256 only), subscriptions, an append-only decision log, and a change counter. Every change
 * runs in one transaction that also appends to the log and bumps the counter, so a replica that
 * sees a new counter value sees the whole change.
 */
public final class RuntimeStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeStore.class);

  private final DataSource dataSource;
  private final AutoCloseable owned;
  private final Clock clock;
  private final String description;

  private RuntimeStore(DataSource dataSource, AutoCloseable owned, Clock clock, String description) {
    this.dataSource = dataSource;
    this.owned = owned;
    this.clock = clock;
    this.description = description;
  }

  /**
   * Opens the configured database and creates missing tables.
   *
   * @param configFile the config's file: a relative H2 path is relative to its folder
   */
  public static RuntimeStore open(StoreConfig config, Path configFile, UnaryOperator<String> environment, Clock clock)
      throws SQLException, CredentialRef.CredentialException {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("tollgate-store");
    hikari.setMaximumPoolSize(4);
    hikari.setMinimumIdle(1);
    hikari.setConnectionTimeout(5_000);
    // A database that is down at start is a clear start-up error, not a background retry loop.
    hikari.setInitializationFailTimeout(5_000);
    String description;
    if (config.isPostgresql()) {
      hikari.setJdbcUrl(config.url());
      // Named, not discovered: a repackaged jar may lose the drivers' service files.
      hikari.setDriverClassName("org.postgresql.Driver");
      if (config.user() != null) {
        hikari.setUsername(config.user());
      }
      if (config.password() != null) {
        hikari.setPassword(CredentialRef.parse(config.password()).orElseThrow().resolve(environment).reveal());
      }
      description = "postgresql " + config.url();
    } else {
      Path file = config.h2File(configFile);
      try {
        Files.createDirectories(file.getParent());
      } catch (java.io.IOException e) {
        throw new SQLException("cannot create the store's folder " + file.getParent() + ": " + e.getMessage(), e);
      }
      // The pool, not the JVM's exit, closes the database: a restart in the same JVM (tests)
      // finds it closed and unlocked.
      hikari.setJdbcUrl("jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE");
      hikari.setDriverClassName("org.h2.Driver");
      description = "h2 " + file + ".mv.db";
    }
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      // Hikari wraps the driver's reason; keep the reason, never the password (it is not in it).
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new SQLException("cannot open the store (" + description + "): " + cause.getMessage(), cause);
    }
    try {
      RuntimeStore store = new RuntimeStore(pool, pool, clock, description);
      store.createSchema();
      LOG.info("runtime state store: {}", description);
      return store;
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** Over a data source the caller manages (tests). */
  public static RuntimeStore over(DataSource dataSource, Clock clock) throws SQLException {
    RuntimeStore store = new RuntimeStore(dataSource, null, clock, "data source");
    store.createSchema();
    return store;
  }

  private void createSchema() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      StoreSchema.create(connection);
    }
  }

  /** The pool, for the usage ledger's table in the same database. */
  DataSource dataSource() {
    return dataSource;
  }

  /** Kind and location, never credentials. */
  public String description() {
    return description;
  }

  // ---- keys

  /** @param expiresAt null for a key that never expires */
  public CreatedKey createKey(String consumer, Instant expiresAt, String actor) throws SQLException {
    for (int attempt = 0; ; attempt++) {
      String key = ApiKeyFormat.generate();
      String prefix = ApiKeyFormat.prefixOf(key).orElseThrow();
      Instant now = now();
      try {
        inTransaction(connection -> {
          try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tollgate_api_keys "
              + "(prefix, consumer, sha256, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, prefix);
            insert.setString(2, consumer);
            insert.setString(3, Sha256.hex(key));
            insert.setLong(4, now.toEpochMilli());
            insert.setString(5, actor);
            setInstant(insert, 6, expiresAt);
            insert.executeUpdate();
          }
          audit(connection, now, actor, "key.create", consumer, prefix,
              expiresAt == null ? "never expires" : "expires " + expiresAt);
          return null;
        });
      } catch (SQLException e) {
        // 48 random bits of prefix collide rarely; try a fresh key once more.
        if (attempt == 0 && isUniqueViolation(e)) {
          continue;
        }
        throw e;
      }
      LOG.info("API key {} created for consumer {} by {}{}", prefix, consumer, actor,
          expiresAt == null ? "" : ", expires " + expiresAt);
      return new CreatedKey(key, new KeyRecord(prefix, consumer, now, actor, expiresAt, null, null));
    }
  }

  /** @param consumer null for every consumer's keys */
  public List<KeyRecord> listKeys(String consumer) throws SQLException {
    return inTransaction(connection -> {
      String sql = "SELECT prefix, consumer, created_at, created_by, expires_at, revoked_at, revoked_by "
          + "FROM tollgate_api_keys" + (consumer == null ? "" : " WHERE consumer = ?") + " ORDER BY created_at, prefix";
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        if (consumer != null) {
          select.setString(1, consumer);
        }
        List<KeyRecord> keys = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            keys.add(keyRecord(rows));
          }
        }
        return keys;
      }
    });
  }

  public KeyRecord revokeKey(String prefix, String actor) throws SQLException, StoreException {
    Instant now = now();
    KeyRecord revoked = inTransactionChecked(connection -> {
      KeyRecord existing = findKey(connection, prefix);
      if (existing == null) {
        throw new StoreException(StoreException.Reason.NOT_FOUND, "No API key with prefix '" + prefix + "'.");
      }
      try (PreparedStatement update = connection.prepareStatement("UPDATE tollgate_api_keys SET revoked_at = ?, "
          + "revoked_by = ? WHERE prefix = ? AND revoked_at IS NULL")) {
        update.setLong(1, now.toEpochMilli());
        update.setString(2, actor);
        update.setString(3, prefix);
        if (update.executeUpdate() == 0) {
          throw new StoreException(StoreException.Reason.CONFLICT, "The API key '" + prefix + "' is already revoked.");
        }
      }
      audit(connection, now, actor, "key.revoke", existing.consumer(), prefix, null);
      return new KeyRecord(prefix, existing.consumer(), existing.createdAt(), existing.createdBy(),
          existing.expiresAt(), now, actor);
    });
    LOG.info("API key {} of consumer {} revoked by {}", prefix, revoked.consumer(), actor);
    return revoked;
  }

  private static KeyRecord findKey(Connection connection, String prefix) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT prefix, consumer, created_at, created_by, "
        + "expires_at, revoked_at, revoked_by FROM tollgate_api_keys WHERE prefix = ?")) {
      select.setString(1, prefix);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? keyRecord(rows) : null;
      }
    }
  }

  private static KeyRecord keyRecord(ResultSet rows) throws SQLException {
    return new KeyRecord(rows.getString(1), rows.getString(2), Instant.ofEpochMilli(rows.getLong(3)),
        rows.getString(4), instant(rows, 5), instant(rows, 6), rows.getString(7));
  }

  // ---- subscriptions

  /** A new request, or a new request after a rejection or revocation. */
  public SubscriptionRecord requestSubscription(String consumer, String model, String actor)
      throws SQLException, StoreException {
    Instant now = now();
    SubscriptionRecord record = inTransactionChecked(connection -> {
      SubscriptionRecord existing = findSubscription(connection, consumer, model);
      if (existing == null) {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tollgate_subscriptions "
            + "(consumer, model, status, requested_at, requested_by) VALUES (?, ?, ?, ?, ?)")) {
          insert.setString(1, consumer);
          insert.setString(2, model);
          insert.setString(3, name(RuntimeState.Status.PENDING));
          insert.setLong(4, now.toEpochMilli());
          insert.setString(5, actor);
          insert.executeUpdate();
        }
      } else if (existing.status() == RuntimeState.Status.PENDING || existing.status() == RuntimeState.Status.APPROVED) {
        throw new StoreException(StoreException.Reason.CONFLICT, "Consumer '" + consumer + "' already has a "
            + name(existing.status()) + " subscription to '" + model + "'.");
      } else {
        try (PreparedStatement update = connection.prepareStatement("UPDATE tollgate_subscriptions SET status = ?, "
            + "requested_at = ?, requested_by = ?, decided_by = NULL, decided_at = NULL "
            + "WHERE consumer = ? AND model = ? AND status = ?")) {
          update.setString(1, name(RuntimeState.Status.PENDING));
          update.setLong(2, now.toEpochMilli());
          update.setString(3, actor);
          update.setString(4, consumer);
          update.setString(5, model);
          update.setString(6, name(existing.status()));
          if (update.executeUpdate() == 0) {
            throw new StoreException(StoreException.Reason.CONFLICT, "The subscription changed meanwhile; try again.");
          }
        }
      }
      audit(connection, now, actor, "subscription.request", consumer, model, null);
      return new SubscriptionRecord(consumer, model, RuntimeState.Status.PENDING, now, actor, null, null);
    });
    LOG.info("subscription of consumer {} to model {} requested by {}", consumer, model, actor);
    return record;
  }

  public SubscriptionRecord decide(String consumer, String model, Decision decision, String actor)
      throws SQLException, StoreException {
    Instant now = now();
    SubscriptionRecord record = inTransactionChecked(connection -> {
      SubscriptionRecord existing = findSubscription(connection, consumer, model);
      if (existing == null) {
        throw new StoreException(StoreException.Reason.NOT_FOUND,
            "Consumer '" + consumer + "' has not asked for model '" + model + "'.");
      }
      if (!decision.from().contains(existing.status())) {
        throw new StoreException(StoreException.Reason.CONFLICT, "Cannot " + decision.verb() + " a "
            + name(existing.status()) + " subscription.");
      }
      try (PreparedStatement update = connection.prepareStatement("UPDATE tollgate_subscriptions SET status = ?, "
          + "decided_by = ?, decided_at = ? WHERE consumer = ? AND model = ? AND status = ?")) {
        update.setString(1, name(decision.to()));
        update.setString(2, actor);
        update.setLong(3, now.toEpochMilli());
        update.setString(4, consumer);
        update.setString(5, model);
        update.setString(6, name(existing.status()));
        if (update.executeUpdate() == 0) {
          // Another replica decided between our read and our write.
          throw new StoreException(StoreException.Reason.CONFLICT, "The subscription changed meanwhile; try again.");
        }
      }
      audit(connection, now, actor, "subscription." + decision.verb(), consumer, model,
          "was " + name(existing.status()));
      return new SubscriptionRecord(consumer, model, decision.to(), existing.requestedAt(), existing.requestedBy(),
          actor, now);
    });
    LOG.info("subscription of consumer {} to model {} {} by {}", consumer, model, decision.pastTense(), actor);
    return record;
  }

  /** @param consumer null for all; @param status null for all */
  public List<SubscriptionRecord> listSubscriptions(String consumer, RuntimeState.Status status) throws SQLException {
    return inTransaction(connection -> {
      StringBuilder sql = new StringBuilder("SELECT consumer, model, status, requested_at, requested_by, decided_by, "
          + "decided_at FROM tollgate_subscriptions WHERE 1 = 1");
      if (consumer != null) {
        sql.append(" AND consumer = ?");
      }
      if (status != null) {
        sql.append(" AND status = ?");
      }
      sql.append(" ORDER BY consumer, model");
      try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
        int i = 1;
        if (consumer != null) {
          select.setString(i++, consumer);
        }
        if (status != null) {
          select.setString(i, name(status));
        }
        List<SubscriptionRecord> list = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            list.add(subscriptionRecord(rows));
          }
        }
        return list;
      }
    });
  }

  private static SubscriptionRecord findSubscription(Connection connection, String consumer, String model)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT consumer, model, status, requested_at, "
        + "requested_by, decided_by, decided_at FROM tollgate_subscriptions WHERE consumer = ? AND model = ?")) {
      select.setString(1, consumer);
      select.setString(2, model);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? subscriptionRecord(rows) : null;
      }
    }
  }

  private static SubscriptionRecord subscriptionRecord(ResultSet rows) throws SQLException {
    return new SubscriptionRecord(rows.getString(1), rows.getString(2), status(rows.getString(3)),
        Instant.ofEpochMilli(rows.getLong(4)), rows.getString(5), rows.getString(6), instant(rows, 7));
  }

  // ---- audit log, change counter, the state ext services need

  /** The newest {@code limit} entries, newest first. */
  public List<AuditRecord> audit(int limit) throws SQLException {
    return inTransaction(connection -> {
      try (PreparedStatement select = connection.prepareStatement("SELECT id, at, actor, action, consumer, subject, "
          + "detail FROM tollgate_audit ORDER BY id DESC")) {
        select.setMaxRows(limit);
        List<AuditRecord> list = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            list.add(new AuditRecord(rows.getLong(1), Instant.ofEpochMilli(rows.getLong(2)), rows.getString(3),
                rows.getString(4), rows.getString(5), rows.getString(6), rows.getString(7)));
          }
        }
        return list;
      }
    });
  }

  public long changeCounter() throws SQLException {
    return inTransaction(RuntimeStore::counter);
  }

  private static long counter(Connection connection) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT counter FROM tollgate_changes WHERE id = 1");
        ResultSet rows = select.executeQuery()) {
      return rows.next() ? rows.getLong(1) : 0;
    }
  }

  /**
   * Live keys (revoked ones left out; expired ones kept, so callers learn why they are refused)
   * and every subscription, with the change counter as the version, read in one transaction.
   */
  public RuntimeState load() throws SQLException {
    return inTransaction(connection -> {
      long version = counter(connection);
      List<RuntimeState.RuntimeKey> keys = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement("SELECT consumer, prefix, sha256, expires_at "
          + "FROM tollgate_api_keys WHERE revoked_at IS NULL ORDER BY prefix");
          ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Instant expires = instant(rows, 4);
          keys.add(new RuntimeState.RuntimeKey(rows.getString(1), rows.getString(2), rows.getString(3).strip(),
              expires == null ? 0 : Math.max(1, ceilSeconds(expires))));
        }
      }
      List<RuntimeState.Subscription> subscriptions = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement("SELECT consumer, model, status "
          + "FROM tollgate_subscriptions ORDER BY consumer, model");
          ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          subscriptions.add(new RuntimeState.Subscription(rows.getString(1), rows.getString(2),
              status(rows.getString(3))));
        }
      }
      return new RuntimeState(version, keys, subscriptions);
    });
  }

  private static long ceilSeconds(Instant instant) {
    return instant.getNano() == 0 ? instant.getEpochSecond() : instant.getEpochSecond() + 1;
  }

  private static void audit(Connection connection, Instant at, String actor, String action, String consumer,
      String subject, String detail) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tollgate_audit "
        + "(at, actor, action, consumer, subject, detail) VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setLong(1, at.toEpochMilli());
      insert.setString(2, actor);
      insert.setString(3, action);
      insert.setString(4, consumer);
      insert.setString(5, subject);
      insert.setString(6, detail);
      insert.executeUpdate();
    }
    try (PreparedStatement bump = connection.prepareStatement(
        "UPDATE tollgate_changes SET counter = counter + 1 WHERE id = 1")) {
      bump.executeUpdate();
    }
  }

  // ---- plumbing

  private interface Work<T> {
    T run(Connection connection) throws SQLException, StoreException;
  }

  private interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private <T> T inTransaction(SqlWork<T> work) throws SQLException {
    try {
      return inTransactionChecked(work::run);
    } catch (StoreException e) {
      throw new IllegalStateException("unchecked work refused", e);
    }
  }

  private <T> T inTransactionChecked(Work<T> work) throws SQLException, StoreException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      // One consistent view per call: a state load never mixes two changes.
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | StoreException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  private Instant now() {
    // Milliseconds: what the tables hold, so a record read back equals the one returned.
    return Instant.ofEpochMilli(clock.millis());
  }

  private static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
    if (instant == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, instant.toEpochMilli());
    }
  }

  private static Instant instant(ResultSet rows, int index) throws SQLException {
    long value = rows.getLong(index);
    return rows.wasNull() ? null : Instant.ofEpochMilli(value);
  }

  static String name(RuntimeState.Status status) {
    return status.name().toLowerCase(Locale.ROOT);
  }

  static RuntimeState.Status status(String name) {
    return RuntimeState.Status.valueOf(name.toUpperCase(Locale.ROOT));
  }

  private static boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  @Override
  public void close() {
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        LOG.warn("closing the store: {}", e.toString());
      }
    }
  }
}
