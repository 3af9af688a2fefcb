package dev.tollgate.tests;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The usage ledger in PostgreSQL (a real server from the Debian package). */
class LedgerPostgresThroughEnvoyTest extends LedgerThroughEnvoyTestBase {
  private static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  String storeSection() throws Exception {
    try (var connection = postgres.connect(PostgresServer.DATABASE); var statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS usage_ledger, tollgate_api_keys, tollgate_subscriptions, tollgate_audit, "
          + "tollgate_changes");
    }
    Path passwordFile = postgres.writePasswordFile(dir.resolve("pg-password"));
    return "store: { kind: postgresql, url: \"" + postgres.jdbcUrl() + "\", user: " + PostgresServer.USER
        + ", password: \"file:" + passwordFile + "\", poll_interval_ms: 500 }";
  }
}
