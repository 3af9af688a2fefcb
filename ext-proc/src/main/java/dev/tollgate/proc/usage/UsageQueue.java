package dev.tollgate.proc.usage;

import dev.tollgate.core.usage.UsageBatchTarget;
import dev.tollgate.core.usage.UsageRecord;
import dev.tollgate.core.usage.UsageSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request path's side of the usage ledger: a bounded in-memory queue that {@link #accept}
 * never blocks on, drained by one background thread that delivers batches to the ledger (directly,
 * or to the control plane over gRPC). A batch that fails is kept and sent again with backoff
 * (200 ms doubling to 5 s) until it lands, so a control plane that restarts loses nothing; records
 * are keyed by request id, so a batch that landed but whose answer was lost counts once.
 *
 * <p>When the queue is full (the ledger has been away for long under load) new records are
 * dropped, not the request: {@code tollgate_usage_records_dropped_total} counts them and the log
 * says so once per outage. With the default bound of 100 000 records (about 30 MB) a gateway at
 * 100 requests per second rides out about 16 minutes without its control plane.
 */
public final class UsageQueue implements UsageSink, AutoCloseable {
  public static final int DEFAULT_CAPACITY = 100_000;
  public static final int MAX_BATCH = 500;
  static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(UsageQueue.class);

  private final BlockingQueue<UsageRecord> queue;
  private final UsageBatchTarget target;
  private final Counter dropped;
  private final Counter delivered;
  private final Counter failures;
  private final Thread sender;
  private volatile boolean closing;
  private volatile boolean warnedFull;
  /** The batch being delivered (kept across retries); only the sender thread writes it. */
  private volatile List<UsageRecord> inFlight = List.of();

  public UsageQueue(UsageBatchTarget target, int capacity, MeterRegistry meters) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.target = target;
    this.dropped = Counter.builder("tollgate.usage.records.dropped")
        .description("Usage records dropped because the ledger queue was full").register(meters);
    this.delivered = Counter.builder("tollgate.usage.records.delivered")
        .description("Usage records delivered to the ledger (duplicates of a resent batch included)").register(meters);
    this.failures = Counter.builder("tollgate.usage.delivery.failures")
        .description("Batches the ledger did not take; each is sent again").register(meters);
    Gauge.builder("tollgate.usage.records.queued", this, UsageQueue::pending)
        .description("Usage records waiting for the ledger").register(meters);
    Gauge.builder("tollgate.usage.queue.capacity", queue, q -> capacity)
        .description("Most usage records the queue holds before dropping").register(meters);
    this.sender = new Thread(this::run, "tollgate-usage-sender");
    sender.setDaemon(true);
  }

  public UsageQueue start() {
    sender.start();
    return this;
  }

  @Override
  public void accept(UsageRecord record) {
    if (queue.offer(record)) {
      warnedFull = false;
      return;
    }
    dropped.increment();
    if (!warnedFull) {
      warnedFull = true;
      LOG.error("usage ledger queue full ({} records): dropping new usage records until it drains",
          queue.size());
    }
  }

  /** Records not yet delivered: queued plus the batch in flight. */
  public long pending() {
    return queue.size() + inFlight.size();
  }

  private void run() {
    Duration backoff = MIN_BACKOFF;
    boolean failing = false;
    while (true) {
      try {
        if (inFlight.isEmpty()) {
          UsageRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
          if (first == null) {
            if (closing) {
              return;
            }
            continue;
          }
          List<UsageRecord> batch = new ArrayList<>(MAX_BATCH);
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
          inFlight = batch;
        }
        try {
          target.deliver(inFlight);
          delivered.increment(inFlight.size());
          inFlight = List.of();
          backoff = MIN_BACKOFF;
          if (failing) {
            failing = false;
            LOG.info("usage ledger reachable again; sending the records kept meanwhile");
          }
        } catch (InterruptedException e) {
          throw e;
        } catch (Exception e) {
          failures.increment();
          if (!failing) {
            failing = true;
            LOG.warn("usage ledger not reachable ({}); keeping {} records and retrying", e.getMessage(), pending());
          }
          if (closing) {
            LOG.warn("stopping with {} usage records not delivered", pending());
            return;
          }
          Thread.sleep(backoff.toMillis());
          backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Delivers what is queued, waiting at most {@code grace}, then stops the sender. */
  public void close(Duration grace) {
    closing = true;
    try {
      sender.join(grace.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.interrupt();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(3));
  }
}
