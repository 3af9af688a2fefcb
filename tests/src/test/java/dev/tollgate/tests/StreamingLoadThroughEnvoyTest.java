package dev.tollgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.fakeprovider.FakeProviderSettings;
import dev.tollgate.xds.translate.FilterSet;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Streams under load and under a slow reader, through Envoy with every filter on. The soak's length
 * is {@code -Dtollgate.soak.seconds} (default 60).
 */
class StreamingLoadThroughEnvoyTest {
  private static final String STREAM_BODY =
      "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";

  @Test
  void soakOfOneHundredConcurrentStreamsAccountsForEveryRequestWithAStableHeap() throws Exception {
    int seconds = Integer.getInteger("tollgate.soak.seconds", 60);
    int concurrency = 100;
    try (TestGateway gateway = TestGateway.start(TestGateway.STANDARD_CONFIG, FakeProviderSettings.defaults()
        .withStreamChunks(20).withInterChunkDelay(Duration.ofMillis(25)), FilterSet.ALL)) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
          .header("authorization", "Bearer " + TestGateway.ALICE_KEY).header("content-type", "application/json")
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY)).build();
      AtomicLong completed = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      Instant end = Instant.now().plusSeconds(seconds);
      Instant warm = Instant.now().plusSeconds(Math.min(10, seconds / 3));
      ExecutorService clients = Executors.newFixedThreadPool(concurrency);
      List<Future<?>> workers = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        workers.add(clients.submit(() -> {
          while (Instant.now().isBefore(end)) {
            try {
              HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
              if (response.statusCode() == 200 && response.body().endsWith("data: [DONE]\n\n")) {
                completed.incrementAndGet();
              } else {
                failed.incrementAndGet();
                failures.add(response.statusCode() + " " + response.body().substring(0, Math.min(200, response.body().length())));
              }
            } catch (Exception e) {
              failed.incrementAndGet();
              failures.add(e.toString());
            }
          }
          return null;
        }));
      }
      while (Instant.now().isBefore(warm)) {
        Thread.sleep(100);
      }
      // The fake provider's journal of received requests is test equipment that grows with every
      // request; empty it at both measurements (counting what it held) so the heap is Tollgate's.
      long servedBeforeWarmUp = gateway.provider().receivedRequestCount();
      gateway.provider().clearReceivedRequests();
      long heapAfterWarmUp = heapAfterGc();
      for (Future<?> worker : workers) {
        worker.get(seconds + 60L, TimeUnit.SECONDS);
      }
      clients.shutdown();
      long served = servedBeforeWarmUp + gateway.provider().receivedRequestCount();
      gateway.provider().clearReceivedRequests();
      long heapAtEnd = heapAfterGc();

      assertThat(failures).as("failed streams").isEmpty();
      assertThat(failed.get()).isZero();
      // Every stream the clients finished is one the provider served, and nothing else.
      assertThat(served).isEqualTo(completed.get());
      assertThat(completed.get()).as("streams completed in %d s", seconds).isGreaterThan(seconds * 20L);
      TestGateway.waitFor(Duration.ofSeconds(5), () -> gateway.runtime().pendingRequests() == 0,
          "every parsed body released");
      // This JVM holds the clients, the fake provider and Tollgate: its live heap after a full GC
      // must not creep up with the number of requests served.
      assertThat(heapAtEnd).as("heap after GC: %d MB after warm-up, %d MB at the end",
          heapAfterWarmUp >> 20, heapAtEnd >> 20).isLessThan(heapAfterWarmUp + (16L << 20));
      System.out.printf("soak: %d streams in %d s, %d concurrent; heap after GC %d MB -> %d MB%n",
          completed.get(), seconds, concurrency, heapAfterWarmUp >> 20, heapAtEnd >> 20);
    }
  }

  @Test
  void aSlowReaderDoesNotMakeEnvoyBufferTheWholeStream() throws Exception {
    // About 10 MB of events, sent by the provider as fast as the connection takes them.
    try (TestGateway gateway = TestGateway.start(TestGateway.STANDARD_CONFIG,
        FakeProviderSettings.defaults().withStreamChunks(40_000), FilterSet.ALL)) {
      long before = envoyMemory(gateway);
      String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
          + "Authorization: Bearer " + TestGateway.ALICE_KEY + "\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + STREAM_BODY.length() + "\r\nConnection: close\r\n\r\n" + STREAM_BODY;
      try (Socket socket = new Socket()) {
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(gateway.values().get("LISTENER_PORT"))));
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1024];
        long read = 0;
        long peak = before;
        // Three seconds at about 20 KB/s: far slower than the provider writes.
        for (int i = 0; i < 60; i++) {
          int n = in.read(buffer);
          assertThat(n).isPositive();
          read += n;
          Thread.sleep(50);
          if (i % 10 == 0) {
            peak = Math.max(peak, envoyMemory(gateway));
          }
        }
        assertThat(read).isLessThan(200_000);
        // Flow control holds the rest back at the provider: Envoy's memory grows by its buffer
        // limits, not by the ~10 MB stream.
        assertThat(peak - before).as("Envoy memory growth, bytes").isLessThan(4L << 20);

        // And the stream is intact once the reader catches up.
        ByteArrayTail tail = new ByteArrayTail(64);
        for (int n; (n = in.read(buffer)) >= 0; ) {
          tail.add(buffer, n);
          read += n;
        }
        assertThat(read).isGreaterThan(8_000_000);
        // Raw HTTP/1.1: the events end with [DONE], then the chunked encoding's last chunk.
        assertThat(tail.toString()).endsWith("data: [DONE]\n\n\r\n0\r\n\r\n");
        System.out.printf("slow reader: Envoy memory grew by %d KB while a ~10 MB stream waited%n",
            (peak - before) >> 10);
      }
    }
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long envoyMemory(TestGateway gateway) {
    String stats = gateway.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.envoyAdminPort()
        + "/stats?filter=%5Eserver.memory_allocated%24")).build()).body();
    Matcher matcher = Pattern.compile("server.memory_allocated: (\\d+)").matcher(stats);
    assertThat(matcher.find()).as(stats).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  /** The last bytes read, to check how a long stream ended without keeping all of it. */
  private static final class ByteArrayTail {
    private final StringBuilder text = new StringBuilder();
    private final int keep;

    ByteArrayTail(int keep) {
      this.keep = keep;
    }

    void add(byte[] bytes, int length) {
      text.append(new String(bytes, 0, length, StandardCharsets.ISO_8859_1));
      if (text.length() > keep) {
        text.delete(0, text.length() - keep);
      }
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
