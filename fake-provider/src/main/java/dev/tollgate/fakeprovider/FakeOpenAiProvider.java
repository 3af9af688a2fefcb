package dev.tollgate.fakeprovider;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake OpenAI-compatible HTTP provider. <strong>Test and demo equipment only</strong>: it answers
 * {@code /v1/chat/completions}, {@code /v1/completions} and {@code /v1/embeddings} in OpenAI's wire
 * format with deterministic canned content, so gateway tests can run without a real model or key.
 *
 * <p>Every response carries {@code x-fake-provider-name}, {@code x-fake-provider-received-model} and
 * {@code x-fake-provider-received-authorization}, reporting what reached the provider. Echoing the
 * Authorization header would leak a credential from a real service; here it is deliberate, because
 * the only keys a fake ever sees are fake keys and tests need to see which one the gateway injected.
 * Never put this class in front of real credentials.
 *
 * <p>The request header {@code x-fake-provider-behavior: status-NNN} forces an error status (see
 * {@link BehaviorHeader}). Every received request is kept, bounded, for {@link #receivedRequests()}.
 */
public final class FakeOpenAiProvider implements AutoCloseable {

  // The kernel caps it anyway; the JDK's default of 50 refuses connections under a load test's burst.
  private static final int ACCEPT_BACKLOG = 1024;

  private final HttpServer server;
  private final ExecutorService executor;
  private final RequestJournal journal;

  private FakeOpenAiProvider(HttpServer server, ExecutorService executor, RequestJournal journal) {
    this.server = server;
    this.executor = executor;
    this.journal = journal;
  }

  /** Binds {@code settings.host()} (127.0.0.1 by default) and starts serving. */
  public static FakeOpenAiProvider start(FakeProviderSettings settings) throws IOException {
    Objects.requireNonNull(settings, "settings");
    ObjectMapper mapper = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // "{} junk" is malformed, as for OpenAI
    RequestJournal journal = new RequestJournal(RequestJournal.DEFAULT_CAPACITY);
    // The JDK server leaves Nagle on unless told otherwise; with delayed ACKs that adds ~40 ms to
    // every response, which would swamp any latency measured through the gateway. The setting is
    // read once, when the JDK's server class first loads, so it must be in place before create().
    System.setProperty("sun.net.httpserver.nodelay", "true");
    // The JDK keeps 200 idle connections and closes the rest; Envoy's pool grows past that under
    // load and then reuses connections the fake already closed. Real providers keep far more.
    if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
      System.setProperty("sun.net.httpserver.maxIdleConnections", "4096");
    }
    HttpServer server = HttpServer.create(
        new InetSocketAddress(settings.host(), settings.port()), ACCEPT_BACKLOG);
    // A cached pool, not a fixed one: a queued request would wait on slow streams ahead of it and
    // show a latency the test never configured.
    ExecutorService executor = Executors.newCachedThreadPool(daemonThreads(settings.name()));
    server.createContext("/", new ProviderHandler(settings, journal, mapper));
    server.setExecutor(executor);
    server.start();
    return new FakeOpenAiProvider(server, executor, journal);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** A copy, oldest first, of the last {@value RequestJournal#DEFAULT_CAPACITY} requests at most. */
  public List<ReceivedRequest> receivedRequests() {
    return journal.snapshot();
  }

  /** How many requests arrived since the last clear, however many the bounded list still holds. */
  public long receivedRequestCount() {
    return journal.total();
  }

  public void clearReceivedRequests() {
    journal.clear();
  }

  /**
   * Until the returned handle is closed, answers every request to {@code path} with exactly
   * {@code answer}'s bytes instead of a canned reply (the request is still recorded). For wire
   * faults the behaviour header cannot describe, e.g. bytes that are not UTF-8.
   */
  public AutoCloseable answerRaw(String path, RawAnswer answer) {
    ObjectMapper mapper = new ObjectMapper();
    server.createContext(path, exchange -> {
      try (exchange) {
        journal.add(IncomingRequest.read(exchange, mapper).toReceived());
        answer.headers().forEach(exchange.getResponseHeaders()::set);
        // One part goes with a content-length, as a plain answer; several are chunked, flushed one by one.
        boolean single = answer.chunks().size() == 1 && answer.chunks().get(0).length > 0;
        exchange.sendResponseHeaders(answer.status(), single ? answer.chunks().get(0).length : 0);
        java.io.OutputStream out = exchange.getResponseBody();
        for (byte[] chunk : answer.chunks()) {
          out.write(chunk);
          out.flush();
        }
      }
    });
    return () -> server.removeContext(path);
  }

  /** Stops at once: open connections, streams included, are cut rather than drained. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // Daemon threads, so a handler still sleeping in a slow stream never holds up JVM exit.
  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "fake-provider-" + name + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
