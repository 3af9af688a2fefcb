package dev.tollgate.store;

import dev.tollgate.core.policy.RuntimeState;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the store's state to the policy: once at start, right after each change made through
 * this control plane, and whenever the change counter moves (another replica sharing the
 * database made a change). Polling one row a second is cheap and works the same on H2 and
 * PostgreSQL. While the database is unreachable the last state stays in force.
 */
public final class RuntimeStateSync implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeStateSync.class);

  private final RuntimeStore store;
  private final Consumer<RuntimeState> publish;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "tollgate-store-sync");
    thread.setDaemon(true);
    return thread;
  });
  private long published = -1;
  private boolean failing;

  public RuntimeStateSync(RuntimeStore store, Consumer<RuntimeState> publish) {
    this.store = store;
    this.publish = publish;
  }

  /** Publishes the current state now (a failure here is fatal to start-up) and starts polling. */
  public void start(Duration interval) throws SQLException {
    RuntimeState state = store.load();
    synchronized (this) {
      published = state.version();
      publish.accept(state);
    }
    scheduler.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** After a change through this control plane: publish it without waiting for the next poll. */
  public void changed() {
    scheduler.execute(this::poll);
  }

  synchronized void poll() {
    try {
      if (store.changeCounter() == published) {
        recovered();
        return;
      }
      RuntimeState state = store.load();
      published = state.version();
      publish.accept(state);
      recovered();
    } catch (SQLException | RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.error("cannot read the runtime state store; the last state stays in force: {}", e.getMessage());
      }
    }
  }

  private void recovered() {
    if (failing) {
      failing = false;
      LOG.info("runtime state store reachable again");
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
