package dev.tollgate.bench;

import dev.tollgate.cli.runtime.LocalGateway;
import dev.tollgate.core.Sha256;
import dev.tollgate.cli.runtime.WorkDir;
import dev.tollgate.fakeprovider.FakeOpenAiProvider;
import dev.tollgate.fakeprovider.FakeProviderSettings;
import dev.tollgate.xds.translate.FilterSet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The first latency figure: N sequential 1 KB chat completions through the same Envoy with the
 * ext filters (ext_authz, both ext_proc stages) and without them (the floor), in one run on one
 * machine, against the fake provider. Sequential requests measure per-request overhead, not
 * throughput; the open-loop load benchmark is a separate tool.
 *
 * <p>Usage: {@code SequentialLatency [requests=1000] [warmup=300] [rounds=2] [modes=plain,ext] [body-bytes=1024]}.
 * Modes alternate per round (floor, ext, floor, ext...) so drift on a noisy machine hits all alike.
 * The modes {@code limits-memory} and {@code limits-redis} add request limits that never refuse
 * (a consumer rate and concurrency limit plus a per-model one: three keys per decision), counted
 * in memory or in the Redis at {@code -Dtollgate.bench.redis=redis://HOST:PORT}.
 * The mode {@code inspect} adds an inspection policy (guard with its detector, PII with the
 * default actions, the prompt's token count) for every request; compare it with {@code ext} at
 * the same body size, e.g. {@code 1000 300 2 ext,inspect 4096}.
 *
 * <p>Streams: {@code -Dtollgate.bench.stream-chunks=100} sends {@code "stream": true} and has the
 * fake answer in that many chunks ({@code -Dtollgate.bench.inter-chunk-ms}, default 0, apart);
 * each request then also yields its time to the first content chunk and the gaps between
 * consecutive content chunks (pooled over all measured streams of a mode), and the total is the
 * time to {@code [DONE]}. With {@code ext,inspect} this measures what the response side's PII
 * hold-back costs in time to first token and inter-chunk delay: the bench prompt's e-mail address
 * goes upstream as a placeholder, comes back in the fake's echo split across chunks, and is
 * restored before the client sees it. A content chunk is a {@code data:} line with non-empty
 * {@code "content"}; a chunk whose whole text is held back arrives with empty content and its text
 * goes out with a later chunk, so the wait shows up as a longer gap to the next content chunk.
 */
public final class SequentialLatency {
  private static final String KEY = "tg-bench-key";
  private static final int STREAM_CHUNKS = Integer.getInteger("tollgate.bench.stream-chunks", 0);
  private static final int INTER_CHUNK_MS = Integer.getInteger("tollgate.bench.inter-chunk-ms", 0);
  /** Time to the first content chunk of each measured stream, by mode (streams only). */
  private static final Map<Mode, long[]> FIRST_TOKEN = new java.util.EnumMap<>(Mode.class);
  /** Time between consecutive content chunks, pooled over the measured streams, by mode (streams only). */
  private static final Map<Mode, long[]> CHUNK_GAPS = new java.util.EnumMap<>(Mode.class);

  /** What runs between the client and the fake provider. */
  enum Mode {
    PLAIN("plain", "plain Envoy (floor)"),
    EXT("ext", "Envoy + Tollgate (ext_authz, ext_proc x2)"),
    LIMITS_MEMORY("limits-memory", "Envoy + Tollgate, in-process limits"),
    LIMITS_REDIS("limits-redis", "Envoy + Tollgate, Redis limits"),
    INSPECT("inspect", "Envoy + Tollgate, inspection policy (guard + PII + token count)"),
    BUDGET_MEMORY("budget-memory", "Envoy + Tollgate, in-process budgets"),
    BUDGET_REDIS("budget-redis", "Envoy + Tollgate, Redis budgets");

    final String name;
    final String label;

    Mode(String name, String label) {
      this.name = name;
      this.label = label;
    }

    static Mode of(String name) {
      for (Mode mode : values()) {
        if (mode.name.equals(name)) {
          return mode;
        }
      }
      throw new IllegalArgumentException(
          "unknown mode " + name + "; known: plain, ext, limits-memory, limits-redis, inspect, budget-memory,"
              + " budget-redis");
    }

    /** Limits high enough never to refuse, so every request pays for a full decision. */
    String limitsYaml() {
      if (this == PLAIN || this == EXT || this == BUDGET_MEMORY || this == BUDGET_REDIS) {
        return "";
      }
      return """
              rate_limit: { requests_per_minute: 1000000, burst: 1000000 }
              max_concurrent_requests: 100
              model_limits: [ { model: bench-model, rate_limit: { requests_per_minute: 1000000 } } ]
          """;
    }

    /**
     * One policy for every request: the guard with its detector (rules and classifier) on every
     * text, PII with the default actions, and the prompt's token count. Never refuses the bench
     * prompt, so every request pays for a whole inspection and, for its e-mail address, a rewrite.
     */
    String inspectionYaml() {
      if (this != INSPECT) {
        return "";
      }
      return """
          policies:
            - name: bench
              prompt_guard: { action: flag }
              pii: {}
          """;
    }

    /**
     * A token budget and a money budget too large ever to refuse, so every request pays for a
     * reservation in both (the prompt counted, a default cap written upstream) and a settlement.
     */
    String budgetYaml() {
      if (this != BUDGET_MEMORY && this != BUDGET_REDIS) {
        return "";
      }
      return """
          budgets:
            limits:
              - { name: bench-tokens, consumer: bench, window: day, tokens: 1000000000000 }
              - { name: bench-usd, consumer: bench, window: month, rolling: true, usd: 1000000 }
          """;
    }

    String redisYaml() {
      if (this != LIMITS_REDIS && this != BUDGET_REDIS) {
        return "";
      }
      String url = System.getProperty("tollgate.bench.redis");
      if (url == null) {
        throw new IllegalArgumentException("limits-redis needs -Dtollgate.bench.redis=redis://HOST:PORT");
      }
      return "redis: { url: \"" + url + "\", timeout_ms: 1000, on_error: fail_closed }\n";
    }
  }

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    java.util.List<Mode> modes = java.util.Arrays.stream((args.length > 3 ? args[3] : "plain,ext").split(","))
        .map(Mode::of).toList();
    int bodyBytes = args.length > 4 ? Integer.parseInt(args[4]) : 1024;
    String body = STREAM_CHUNKS > 0 ? chatOf(bodyBytes).replaceFirst("^\\{", "{\"stream\":true,") : chatOf(bodyBytes);
    if (STREAM_CHUNKS > 0) {
      System.out.printf("streamed: %d chunks, %d ms apart; total = time to [DONE]%n", STREAM_CHUNKS, INTER_CHUNK_MS);
    }
    System.out.printf("%d sequential requests of %d bytes per round, %d warm-up, %d rounds%n",
        requests, body.length(), warmup, rounds);
    Map<Mode, long[]> all = new java.util.EnumMap<>(Mode.class);
    FakeProviderSettings settings = FakeProviderSettings.defaults().withName("bench");
    if (STREAM_CHUNKS > 0) {
      settings = settings.withStreamChunks(STREAM_CHUNKS)
          .withInterChunkDelay(java.time.Duration.ofMillis(INTER_CHUNK_MS));
    }
    try (FakeOpenAiProvider provider = FakeOpenAiProvider.start(settings)) {
      for (int round = 0; round < rounds; round++) {
        for (Mode mode : modes) {
          long[] nanos = run(provider, mode, requests, warmup, body);
          all.merge(mode, nanos, SequentialLatency::concat);
          System.out.println(row("round " + (round + 1) + " " + mode.label, nanos));
        }
      }
    }
    System.out.println();
    System.out.println("| mode | requests | p50 ms | p90 ms | p99 ms | max ms |");
    System.out.println("|---|---|---|---|---|---|");
    for (Mode mode : modes) {
      System.out.println(row(mode.label, all.get(mode)));
    }
    System.out.println();
    added(modes, all, "");
    if (STREAM_CHUNKS > 0) {
      table("Time to first content chunk:", "streams", modes, FIRST_TOKEN);
      added(modes, FIRST_TOKEN, " to the first content chunk");
      table("Gap between consecutive content chunks (every gap of every measured stream, pooled):", "gaps", modes,
          CHUNK_GAPS);
      added(modes, CHUNK_GAPS, " to the inter-chunk gap");
    }
  }

  private static void table(String title, String counted, java.util.List<Mode> modes, Map<Mode, long[]> nanos) {
    System.out.println();
    System.out.println(title);
    System.out.println();
    System.out.println("| mode | " + counted + " | p50 ms | p90 ms | p99 ms | max ms |");
    System.out.println("|---|---|---|---|---|---|");
    for (Mode mode : modes) {
      System.out.println(row(mode.label, nanos.get(mode)));
    }
    System.out.println();
  }

  /** The difference of each mode to the first one (the floor) at p50 and p99. */
  private static void added(java.util.List<Mode> modes, Map<Mode, long[]> nanos, String what) {
    Mode floor = modes.get(0);
    for (Mode mode : modes.subList(1, modes.size())) {
      double addedP50 = (percentile(nanos.get(mode), 50) - percentile(nanos.get(floor), 50)) / 1e6;
      double addedP99 = (percentile(nanos.get(mode), 99) - percentile(nanos.get(floor), 99)) / 1e6;
      System.out.printf("added by %s over %s%s: p50 %+.3f ms, p99 %+.3f ms%n", mode.label, floor.label, what,
          addedP50, addedP99);
    }
  }

  private static long[] run(FakeOpenAiProvider provider, Mode mode, int requests, int warmup, String body)
      throws Exception {
    try (WorkDir dir = WorkDir.create("tollgate-bench-")) {
      return run(provider, mode, requests, warmup, body, dir);
    }
  }

  private static long[] run(FakeOpenAiProvider provider, Mode mode, int requests, int warmup, String body,
      WorkDir dir) throws Exception {
    boolean ext = mode != Mode.PLAIN;
    Path config = dir.resolve("tollgate.yaml");
    int port = freePort();
    Files.writeString(config, """
        listener: { address: 127.0.0.1, port: %d }
        control_plane: { address: 127.0.0.1, grpc_port: %d, admin_port: %d }
        backends:
          - name: fake
            kind: openai-compatible
            endpoints: [ { host: 127.0.0.1, port: %d } ]
        models:
          - name: bench-model
            targets: [ { backend: fake, model: bench-upstream } ]
        consumers:
          - name: bench
            api_keys: [ "sha256:%s" ]
            models: [ "*" ]
        """.formatted(port, freePort(), freePort(), provider.port(), Sha256.hex(KEY))
        + mode.limitsYaml() + mode.redisYaml() + mode.inspectionYaml() + mode.budgetYaml());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
        .header("content-type", "application/json")
        .header("authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (!ext) {
      // Without ext_proc nobody reads the body to set the routing header; the client does it.
      request.header(FilterSet.BENCH_ROUTE_HEADER, "bench-model");
    }
    HttpRequest built = request.build();
    try (LocalGateway gateway = LocalGateway.start(config, ext ? FilterSet.ALL : FilterSet.NONE, "bench", dir.path(), dir.resolve("envoy.log"))) {
      awaitReady(client, built);
      for (int i = 0; i < warmup; i++) {
        send(client, built);
      }
      long[] nanos = new long[requests];
      long[] firstToken = new long[requests];
      java.util.stream.LongStream.Builder gaps = java.util.stream.LongStream.builder();
      for (int i = 0; i < requests; i++) {
        long start = System.nanoTime();
        if (STREAM_CHUNKS > 0) {
          long[] arrivals = sendStream(client, built);
          firstToken[i] = arrivals[0] - start;
          for (int c = 1; c < arrivals.length; c++) {
            gaps.add(arrivals[c] - arrivals[c - 1]);
          }
        } else {
          send(client, built);
        }
        nanos[i] = System.nanoTime() - start;
      }
      FIRST_TOKEN.merge(mode, firstToken, SequentialLatency::concat);
      CHUNK_GAPS.merge(mode, gaps.build().toArray(), SequentialLatency::concat);
      return nanos;
    }
  }

  /** Redis limits connect in the background and fail closed until then. */
  private static void awaitReady(HttpClient client, HttpRequest request) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the gateway did not answer 200 within 20 s");
      }
      Thread.sleep(100);
    }
  }

  private static void send(HttpClient client, HttpRequest request) throws Exception {
    HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("status " + response.statusCode() + ": "
          + new String(response.body(), StandardCharsets.UTF_8));
    }
  }

  /** Reads a stream to [DONE]; @return when each chunk with content text arrived, in order. */
  private static long[] sendStream(HttpClient client, HttpRequest request) throws Exception {
    HttpResponse<java.util.stream.Stream<String>> response =
        client.send(request, HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("status " + response.statusCode());
    }
    java.util.stream.LongStream.Builder arrivals = java.util.stream.LongStream.builder();
    boolean content = false;
    boolean done = false;
    for (java.util.Iterator<String> lines = response.body().iterator(); lines.hasNext(); ) {
      String line = lines.next();
      if (line.startsWith("data: {") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
        arrivals.add(System.nanoTime());
        content = true;
      }
      done |= line.equals("data: [DONE]");
    }
    if (!done || !content) {
      throw new IllegalStateException("stream ended without content or [DONE]");
    }
    return arrivals.build().toArray();
  }

  /**
   * A chat request of exactly {@code bytes} bytes: business prose with one e-mail address near the
   * start, so a PII policy has a value to redact (and the upstream stage a body to rewrite).
   */
  static String chatOf(int bytes) {
    String head = "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
        + "{\"role\":\"user\",\"content\":\"";
    String tail = "\"}],\"max_tokens\":64}";
    String filler = "Summarise the quarterly figures for the board in three short bullet points. ";
    StringBuilder text = new StringBuilder("Send the summary to finance.team@example.com afterwards. ");
    while (head.length() + text.length() + tail.length() < bytes) {
      text.append(filler);
    }
    text.setLength(bytes - head.length() - tail.length());
    return head + text + tail;
  }

  private static String row(String label, long[] nanos) {
    return String.format("| %s | %d | %.3f | %.3f | %.3f | %.3f |", label, nanos.length,
        percentile(nanos, 50) / 1e6, percentile(nanos, 90) / 1e6, percentile(nanos, 99) / 1e6,
        percentile(nanos, 100) / 1e6);
  }

  /** Nearest rank; NaN for no values (e.g. streams of a single content chunk have no gaps). */
  static double percentile(long[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

}
