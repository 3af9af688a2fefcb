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
 * <p>Usage: {@code SequentialLatency [requests=1000] [warmup=300] [rounds=2]}. Modes alternate per
 * round (floor, ext, floor, ext...) so drift on a noisy machine hits both alike.
 */
public final class SequentialLatency {
  private static final String KEY = "tg-bench-key";

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    String body = oneKilobyteChat();
    System.out.printf("%d sequential requests of %d bytes per round, %d warm-up, %d rounds%n",
        requests, body.length(), warmup, rounds);
    Map<Boolean, long[]> all = new java.util.HashMap<>();
    try (FakeOpenAiProvider provider = FakeOpenAiProvider.start(FakeProviderSettings.defaults().withName("bench"))) {
      for (int round = 0; round < rounds; round++) {
        for (boolean ext : new boolean[] {false, true}) {
          long[] nanos = run(provider, ext, requests, warmup, body);
          all.merge(ext, nanos, SequentialLatency::concat);
          System.out.println(row("round " + (round + 1) + (ext ? " ext filters on " : " plain Envoy   "), nanos));
        }
      }
    }
    System.out.println();
    System.out.println("| mode | requests | p50 ms | p90 ms | p99 ms | max ms |");
    System.out.println("|---|---|---|---|---|---|");
    System.out.println(row("plain Envoy (floor)", all.get(false)));
    System.out.println(row("Envoy + Tollgate (ext_authz, ext_proc x2)", all.get(true)));
    double addedP50 = (percentile(all.get(true), 50) - percentile(all.get(false), 50)) / 1e6;
    double addedP99 = (percentile(all.get(true), 99) - percentile(all.get(false), 99)) / 1e6;
    System.out.printf("%nadded by Tollgate: p50 %+.3f ms, p99 %+.3f ms%n", addedP50, addedP99);
  }

  private static long[] run(FakeOpenAiProvider provider, boolean ext, int requests, int warmup, String body)
      throws Exception {
    try (WorkDir dir = WorkDir.create("tollgate-bench-")) {
      return run(provider, ext, requests, warmup, body, dir);
    }
  }

  private static long[] run(FakeOpenAiProvider provider, boolean ext, int requests, int warmup, String body,
      WorkDir dir) throws Exception {
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
        """.formatted(port, freePort(), freePort(), provider.port(), Sha256.hex(KEY)));
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
      for (int i = 0; i < warmup; i++) {
        send(client, built);
      }
      long[] nanos = new long[requests];
      for (int i = 0; i < requests; i++) {
        long start = System.nanoTime();
        send(client, built);
        nanos[i] = System.nanoTime() - start;
      }
      return nanos;
    }
  }

  private static void send(HttpClient client, HttpRequest request) throws Exception {
    HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("status " + response.statusCode() + ": "
          + new String(response.body(), StandardCharsets.UTF_8));
    }
  }

  static String oneKilobyteChat() {
    String head = "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
        + "{\"role\":\"user\",\"content\":\"";
    String tail = "\"}],\"max_tokens\":64}";
    String filler = "Summarise the quarterly figures for the board in three short bullet points. ";
    StringBuilder text = new StringBuilder();
    while (head.length() + text.length() + tail.length() < 1024) {
      text.append(filler);
    }
    text.setLength(1024 - head.length() - tail.length());
    return head + text + tail;
  }

  private static String row(String label, long[] nanos) {
    return String.format("| %s | %d | %.3f | %.3f | %.3f | %.3f |", label, nanos.length,
        percentile(nanos, 50) / 1e6, percentile(nanos, 90) / 1e6, percentile(nanos, 99) / 1e6,
        percentile(nanos, 100) / 1e6);
  }

  static double percentile(long[] values, double p) {
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
