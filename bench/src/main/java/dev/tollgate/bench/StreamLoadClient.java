package dev.tollgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load of streamed chat completions, for what vegeta cannot see: the time to the first
 * server-sent event and the gaps between events.
 *
 * <p>Streams start at a constant arrival rate from one scheduling thread, whether or not earlier
 * streams have finished (no coordinated omission): stream i is due at {@code start + i / rate} and
 * every time is measured from that due time, not from when the request actually left. Each
 * {@code data:} line is timestamped as the client's line parser delivers it.
 *
 * <p>Usage: {@code StreamLoadClient --url U --body-file F --rate R --warmup-s W --duration-s D
 * [--header name:value]... [--timeout-s T]}. Prints {@code measure-start} when the first measured
 * stream is due, {@code measure-end} when the last measured stream has ended (or the timeout hit),
 * then one line {@code result <json>} with percentiles in milliseconds.
 */
public final class StreamLoadClient {

  private StreamLoadClient() {
  }

  /** One stream's timeline, written by the client's threads, read after the latch. */
  private static final class Stream implements Flow.Subscriber<String> {
    final long due;
    volatile long sent;
    volatile int status;
    volatile String error;
    volatile boolean done;
    final List<Long> events = new ArrayList<>(128);
    /** The start of whatever came that was not an event: an error reply's body. */
    final StringBuilder other = new StringBuilder();
    final CountDownLatch finished;

    Stream(long due, CountDownLatch finished) {
      this.due = due;
      this.finished = finished;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.startsWith("data:")) {
        long now = System.nanoTime();
        synchronized (events) {
          events.add(now);
        }
        if (line.startsWith("data: [DONE]")) {
          done = true;
        }
      } else if (!line.isBlank() && other.length() < 300) {
        synchronized (other) {
          other.append(line.strip()).append(' ');
        }
      }
    }

    @Override
    public void onError(Throwable throwable) {
      fail(throwable);
    }

    @Override
    public void onComplete() {
    }

    void fail(Throwable throwable) {
      if (error == null) {
        error = throwable.getClass().getSimpleName() + ": " + throwable.getMessage();
      }
    }

    boolean ok() {
      return status == 200 && done && error == null;
    }
  }

  public static void main(String[] args) throws Exception {
    String url = null;
    Path bodyFile = null;
    double rate = 10;
    double warmupSeconds = 3;
    double durationSeconds = 10;
    long timeoutSeconds = 30;
    List<String[]> headers = new ArrayList<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--url" -> url = value;
        case "--body-file" -> bodyFile = Path.of(value);
        case "--rate" -> rate = Double.parseDouble(value);
        case "--warmup-s" -> warmupSeconds = Double.parseDouble(value);
        case "--duration-s" -> durationSeconds = Double.parseDouble(value);
        case "--timeout-s" -> timeoutSeconds = Long.parseLong(value);
        case "--header" -> headers.add(value.split(":", 2));
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    if (url == null || bodyFile == null) {
      throw new IllegalArgumentException("--url and --body-file are required");
    }
    byte[] body = Files.readAllBytes(bodyFile);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(timeoutSeconds))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (String[] header : headers) {
      builder.header(header[0].strip(), header[1].strip());
    }
    HttpRequest request = builder.build();

    int warmupCount = (int) Math.round(rate * warmupSeconds);
    int measuredCount = (int) Math.round(rate * durationSeconds);
    long period = (long) (1e9 / rate);
    CountDownLatch warmupDone = new CountDownLatch(warmupCount);
    CountDownLatch measuredDone = new CountDownLatch(measuredCount);
    List<Stream> measured = new ArrayList<>(measuredCount);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuAtStart = 0;
    long start = System.nanoTime() + 100_000_000L;
    long measureStart = 0;
    for (int i = 0; i < warmupCount + measuredCount; i++) {
      long due = start + i * period;
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      boolean isMeasured = i >= warmupCount;
      if (i == warmupCount) {
        measureStart = System.nanoTime();
        cpuAtStart = os.getProcessCpuTime();
        System.out.println("measure-start");
        System.out.flush();
      }
      Stream stream = new Stream(due, isMeasured ? measuredDone : warmupDone);
      if (isMeasured) {
        measured.add(stream);
      }
      stream.sent = System.nanoTime();
      client.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(stream, s -> null, "\n"))
          .whenComplete((response, failure) -> {
            if (failure != null) {
              stream.fail(failure);
            } else {
              stream.status = response.statusCode();
            }
            stream.finished.countDown();
          });
    }
    boolean allEnded = measuredDone.await(timeoutSeconds, TimeUnit.SECONDS);
    long measureEnd = System.nanoTime();
    long cpuAtEnd = os.getProcessCpuTime();
    System.out.println("measure-end");
    System.out.flush();

    ObjectNode result = summarise(measured, measureEnd - measureStart, allEnded);
    result.put("target_rate", rate);
    result.put("client_cpu_s", (cpuAtEnd - cpuAtStart) / 1e9);
    System.out.println("result " + new ObjectMapper().writeValueAsString(result));
    System.out.flush();
    System.exit(0);
  }

  private static ObjectNode summarise(List<Stream> streams, long windowNanos, boolean allEnded) {
    List<Long> ttft = new ArrayList<>();
    List<Long> gaps = new ArrayList<>();
    List<Long> total = new ArrayList<>();
    List<Long> sendLag = new ArrayList<>();
    long ok = 0;
    long events = 0;
    String firstError = null;
    ObjectNode statuses = new ObjectMapper().createObjectNode();
    for (Stream stream : streams) {
      sendLag.add(stream.sent - stream.due);
      statuses.put(Integer.toString(stream.status), statuses.path(Integer.toString(stream.status)).asInt() + 1);
      List<Long> times;
      synchronized (stream.events) {
        times = new ArrayList<>(stream.events);
      }
      if (!stream.ok()) {
        if (firstError == null) {
          firstError = stream.error != null ? stream.error
              : "status " + stream.status + (stream.done ? "" : ", no [DONE] after " + times.size() + " events")
                  + (stream.other.length() == 0 ? "" : ", body: " + stream.other.toString().strip());
        }
        continue;
      }
      ok++;
      events += times.size();
      ttft.add(times.get(0) - stream.due);
      total.add(times.get(times.size() - 1) - stream.due);
      for (int i = 1; i < times.size(); i++) {
        gaps.add(times.get(i) - times.get(i - 1));
      }
    }
    ObjectNode out = new ObjectMapper().createObjectNode();
    out.put("streams", streams.size());
    out.put("ok", ok);
    out.put("all_ended", allEnded);
    out.put("events_per_stream", ok == 0 ? 0 : (double) events / ok);
    out.put("window_s", windowNanos / 1e9);
    out.set("status_codes", statuses);
    if (firstError != null) {
      out.put("first_error", firstError);
    }
    out.set("ttft_ms", Percentiles.summaryMillis(toArray(ttft)));
    out.set("inter_chunk_ms", Percentiles.summaryMillis(toArray(gaps)));
    out.set("stream_ms", Percentiles.summaryMillis(toArray(total)));
    out.set("send_lag_ms", Percentiles.summaryMillis(toArray(sendLag)));
    return out;
  }

  private static long[] toArray(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).toArray();
  }
}
