package dev.tollgate.core.usage;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's side of the usage report: writes each batch to the ledger and acknowledges
 * it only once written. The gRPC server runs handlers on its network threads, so the database
 * write runs on a thread of its own here.
 */
public final class UsageReportService implements BindableService, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UsageReportService.class);
  /** A batch larger than this is refused whole (the sender's batches are far smaller). */
  public static final int MAX_BATCH = 10_000;
  static final int WAITING_BATCHES = 32;

  /** Writes a batch and returns how many records were new; throws when nothing was written. */
  @FunctionalInterface
  public interface Writer {
    int write(List<UsageRecord> batch) throws Exception;
  }

  private final Writer writer;
  /**
   * Two writers and a short line: while the database is slow, further batches are refused at once
   * (the senders keep them and retry) instead of piling up in the control plane's memory.
   */
  private final ExecutorService writes = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(WAITING_BATCHES), r -> {
        Thread thread = new Thread(r, "tollgate-usage-writes");
        thread.setDaemon(true);
        return thread;
      });
  private volatile boolean failing;

  public UsageReportService(Writer writer) {
    this.writer = writer;
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(UsageProtocol.SERVICE)
        .addMethod(UsageProtocol.REPORT, ServerCalls.asyncUnaryCall(this::report))
        .build();
  }

  private void report(UsageProtocol.Batch batch, StreamObserver<UsageProtocol.Ack> answer) {
    if (batch.records().size() > MAX_BATCH) {
      answer.onError(Status.INVALID_ARGUMENT.withDescription("more than " + MAX_BATCH + " records in one batch")
          .asRuntimeException());
      return;
    }
    Context call = Context.current();
    try {
      writes.execute(() -> {
        if (call.isCancelled()) {
          return; // the sender gave up waiting and will send the batch again
        }
        write(batch, answer);
      });
    } catch (RejectedExecutionException e) {
      answer.onError(Status.UNAVAILABLE.withDescription("usage ledger busy; retry").asRuntimeException());
    }
  }

  private void write(UsageProtocol.Batch batch, StreamObserver<UsageProtocol.Ack> answer) {
    try {
      int inserted = writer.write(batch.records());
      if (failing) {
        failing = false;
        LOG.info("usage ledger writable again");
      }
      answer.onNext(new UsageProtocol.Ack(inserted));
      answer.onCompleted();
    } catch (Exception e) {
      if (!failing) {
        failing = true;
        LOG.error("cannot write usage records from '{}'; the sender keeps them and retries: {}", batch.node(),
            e.toString());
      }
      answer.onError(Status.UNAVAILABLE.withDescription("usage ledger not writable; retry").asRuntimeException());
    }
  }

  /** Adapts a writer to a local target (all in one: no gRPC hop). */
  public static UsageBatchTarget local(Writer writer) {
    return batch -> writer.write(batch);
  }

  @Override
  public void close() {
    writes.shutdownNow();
  }
}
