package dev.tollgate.cli.runtime;

import dev.tollgate.core.config.GatewayConfig;
import dev.tollgate.core.usage.UsageBatchTarget;
import dev.tollgate.core.usage.UsageReportService;
import dev.tollgate.store.UsageLedger;
import dev.tollgate.store.admin.BudgetRemaining;
import dev.tollgate.store.admin.UsageApi;
import dev.tollgate.xds.admin.AdminServer;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * The control plane's usage ledger: the table in the runtime store's database, the gRPC method
 * ext-services processes report usage to, and the usage API on the admin server. Only the control
 * plane writes to the database; in the all-in-one gateway the in-process ext_proc hands its
 * records to {@link #localTarget()} through its own queue, without a gRPC hop.
 */
public final class UsageLedgerService implements AutoCloseable {
  private final UsageLedger ledger;
  private final UsageReportService reports;
  private final Clock clock;

  private UsageLedgerService(UsageLedger ledger, Clock clock) {
    this.ledger = ledger;
    this.reports = new UsageReportService(ledger::insert);
    this.clock = clock;
  }

  static UsageLedgerService start(RuntimeStateService runtimeState, Clock clock) throws IOException {
    try {
      return new UsageLedgerService(UsageLedger.in(runtimeState.store(), clock), clock);
    } catch (SQLException e) {
      throw new IOException("cannot create the usage ledger table: " + e.getMessage(), e);
    }
  }

  /** The usage report method, for the control plane's gRPC server. */
  UsageReportService reportService() {
    return reports;
  }

  /** Batches written straight to the table (all in one). */
  UsageBatchTarget localTarget() {
    return UsageReportService.local(ledger::insert);
  }

  /** Serves {@code /admin/usage} and {@code /admin/usage/budgets} to the admins. */
  void mountOn(AdminServer admin, RuntimeStateService runtimeState, Supplier<GatewayConfig> config) {
    admin.mount(UsageApi.PATH, new UsageApi(ledger, runtimeState.admins(), new BudgetRemaining(ledger, config),
        clock));
  }

  public UsageLedger ledger() {
    return ledger;
  }

  @Override
  public void close() {
    reports.close();
  }
}
