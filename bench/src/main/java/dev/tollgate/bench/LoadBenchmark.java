package dev.tollgate.bench;

import dev.tollgate.core.Sha256;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.xds.translate.FilterSet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The open-loop load benchmark behind {@code bench/load.sh}: plain Envoy, Envoy with ext_authz only,
 * and the whole gateway, under the same constant-rate load on the same machine in one run.
 *
 * <p>Processes: this orchestrator (mostly asleep), the fake provider (its own JVM), three gateways
 * (each a {@link BenchGateway} JVM with its child Envoy, all started up front and loaded one at a
 * time, so every rate runs the three modes back to back and drift hits them alike), and the load
 * generator (vegeta, or {@link StreamLoadClient} for streams), started afresh for each run. CPU is
 * read from /proc for each process over each measured run.
 *
 * <p>Usage: {@code LoadBenchmark --vegeta PATH --clk-tck N --header-file F --out-md F --out-json F
 * --pid-file F [--quick]}.
 */
public final class LoadBenchmark {
  static final String KEY = "tg-bench-key";
  static final String MODEL = "bench-model";

  /** "Sustained" (the saturation criterion): all three must hold for a fixed-rate run. */
  static final double SUCCESS_FLOOR = 0.999;
  static final double RATE_FLOOR = 0.95;
  static final double P99_CEILING_MS = 250;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final List<Process> LIVE = new CopyOnWriteArrayList<>();
  private static final List<Long> ENVOY_PIDS = new CopyOnWriteArrayList<>();

  enum Mode {
    PLAIN("a", "plain Envoy", FilterSet.NONE),
    AUTHZ("b", "Envoy + ext_authz", FilterSet.AUTHZ_ONLY),
    ALL("c", "Envoy + Tollgate (all)", FilterSet.ALL);

    final String letter;
    final String label;
    final FilterSet filters;

    Mode(String letter, String label, FilterSet filters) {
      this.letter = letter;
      this.label = label;
      this.filters = filters;
    }

    String title() {
      return "(" + letter + ") " + label;
    }

    /** What a client of this mode sends: the route header without ext_proc, the key with ext_authz. */
    List<String[]> headers() {
      List<String[]> headers = new ArrayList<>();
      if (filters.authz()) {
        headers.add(new String[] {"Authorization", "Bearer " + KEY});
      }
      if (!filters.extProc()) {
        headers.add(new String[] {FilterSet.BENCH_ROUTE_HEADER, MODEL});
      }
      return headers;
    }
  }

  /** Rates in requests (or streams) per second, times in seconds. */
  record Plan(String name, List<Integer> rates, double warmupS, double durationS, int initialWarmupRate,
      double coldStartS, double initialWarmupS, int streamRate, double streamWarmupS, double streamDurationS,
      List<Integer> bigRates, int chunks, int interChunkDelayMs) {
    /**
     * The initial warm-up is long because the Tollgate JVM's C2 compiler stays busy for about 35 s
     * at 600 req/s; shorter, and the first runs measure the JIT rather than the gateway.
     */
    static Plan full() {
      return new Plan("full", List.of(250, 500, 750, 1000, 1500, 2000, 3000, 4000), 2, 10, 500, 5, 40, 20, 10, 15,
          List.of(100, 300),
          100, 2);
    }

    static Plan quick() {
      return new Plan("quick", List.of(250, 1000), 1, 4, 500, 3, 8, 20, 2, 4, List.of(200), 100, 2);
    }
  }

  private final Plan plan;
  private final double clkTck;
  private final Path work;
  private final Path pidFile;
  private final Vegeta vegeta;
  private final ArrayNode runs = JSON.createArrayNode();
  private final ObjectNode memory = JSON.createObjectNode();
  private final long started = System.nanoTime();
  private long providerPid;
  private volatile long streamClientPid;
  private final Map<Mode, Gateway> gateways = new EnumMap<>(Mode.class);

  private LoadBenchmark(Plan plan, Path vegetaBinary, double clkTck, Path work, Path pidFile) {
    this.plan = plan;
    this.clkTck = clkTck;
    this.work = work;
    this.pidFile = pidFile;
    this.vegeta = new Vegeta(vegetaBinary, work.resolve("vegeta.log"), LIVE::add);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    boolean quick = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--quick")) {
        quick = true;
      } else if (args[i].startsWith("--") && i + 1 < args.length) {
        flags.put(args[i], args[++i]);
      } else {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(LoadBenchmark::stopEverything, "load-bench-stopper"));
    Path work = Files.createTempDirectory("tollgate-load-");
    LoadBenchmark bench = new LoadBenchmark(quick ? Plan.quick() : Plan.full(), Path.of(flags.get("--vegeta")),
        Double.parseDouble(flags.getOrDefault("--clk-tck", "100")), work, Path.of(flags.get("--pid-file")));
    boolean ok = false;
    try {
      ObjectNode result = bench.run();
      String header = Files.readString(Path.of(flags.get("--header-file")));
      result.put("header", header);
      Files.writeString(Path.of(flags.get("--out-json")), JSON.writeValueAsString(result));
      Files.writeString(Path.of(flags.get("--out-md")), header + Report.markdown(result));
      ok = true;
    } finally {
      stopEverything();
      if (ok) {
        deleteTree(work);
      } else {
        try (var files = Files.list(work)) {
          files.filter(file -> file.toString().endsWith(".bin")).forEach(file -> file.toFile().delete());
        }
        System.err.println("load benchmark did not finish; logs kept in " + work);
      }
    }
  }

  private ObjectNode run() throws Exception {
    log("plan " + plan.name() + ", work dir " + work);
    Path body1k = write("body-1k.json", chatBody(1024, false));
    Path body32k = write("body-32k.json", chatBody(32 * 1024, false));
    Path bodyStream = write("body-stream.json", chatBody(0, true));

    int providerPort = startProvider();
    Set<Integer> ports = new HashSet<>();
    for (Mode mode : Mode.values()) {
      gateways.put(mode, Gateway.start(mode, work.resolve("gateway-" + mode.letter), providerPort, ports, pidFile));
      log("gateway " + mode.title() + " ready on port " + gateways.get(mode).port + " (jvm " + gateways.get(mode).jvmPid
          + ", envoy " + gateways.get(mode).envoyPid + ")");
    }
    Map<Mode, Path> targets1k = new EnumMap<>(Mode.class);
    Map<Mode, Path> targets32k = new EnumMap<>(Mode.class);
    for (Mode mode : Mode.values()) {
      targets1k.put(mode, targets(mode, gateways.get(mode).port, body1k, "1k"));
      targets32k.put(mode, targets(mode, gateways.get(mode).port, body32k, "32k"));
    }

    // JIT warm-up of every process on the request path, before anything is measured. It is also
    // the cold start: the first requests a freshly started gateway sees, at full rate at once.
    ObjectNode coldStart = JSON.createObjectNode();
    for (Mode mode : Mode.values()) {
      Path results = work.resolve("cold-" + mode.letter + ".bin");
      vegeta.attack(targets1k.get(mode), plan.initialWarmupRate(), plan.coldStartS(), results);
      ObjectNode cold = vegeta.summarise(results);
      coldStart.set(mode.name(), cold);
      log(String.format("cold start %-26s %d req/s for %.0f s: success %.4f, p99 %.1f ms, max %.1f ms%s",
          mode.title(), plan.initialWarmupRate(), plan.coldStartS(), cold.path("success").asDouble(),
          cold.path("latency_ms").path("p99").asDouble(), cold.path("latency_ms").path("max").asDouble(),
          cold.has("first_error") ? " (" + cold.path("first_error").asText() + ")" : ""));
      vegeta.attack(targets1k.get(mode), plan.initialWarmupRate(), plan.initialWarmupS() - plan.coldStartS(),
          work.resolve("warmup.bin"));
      log("warmed up " + mode.title() + " (" + plan.initialWarmupS() + " s in all)");
    }

    // Scenario 1: the 1 KB ladder; a mode stops climbing after its first rate that is not sustained.
    Set<Mode> climbing = new HashSet<>(List.of(Mode.values()));
    for (int rate : plan.rates()) {
      for (Mode mode : Mode.values()) {
        if (!climbing.contains(mode)) {
          continue;
        }
        ObjectNode run = vegetaRun("1k", mode, gateways.get(mode), targets1k.get(mode), rate);
        if (!run.path("sustained").asBoolean()) {
          climbing.remove(mode);
        }
      }
    }
    memory.set("1k", heapAfterGc(gateways));

    // Scenario 2: streams of plan.chunks() events, one fixed moderate rate.
    for (Mode mode : Mode.values()) {
      streamRun(mode, gateways.get(mode), bodyStream);
    }
    memory.set("stream", heapAfterGc(gateways));

    // Scenario 3: 32 KB prompts at fixed rates.
    for (int rate : plan.bigRates()) {
      for (Mode mode : Mode.values()) {
        vegetaRun("32k", mode, gateways.get(mode), targets32k.get(mode), rate);
      }
    }
    memory.set("32k", heapAfterGc(gateways));

    for (Gateway gateway : gateways.values()) {
      gateway.close();
    }
    ObjectNode result = JSON.createObjectNode();
    ObjectNode planJson = JSON.valueToTree(plan);
    planJson.put("success_floor", SUCCESS_FLOOR);
    planJson.put("rate_floor", RATE_FLOOR);
    planJson.put("p99_ceiling_ms", P99_CEILING_MS);
    planJson.put("request_timeout_s", Vegeta.TIMEOUT_SECONDS);
    planJson.put("elapsed_s", Math.round((System.nanoTime() - started) / 1e9));
    result.set("plan", planJson);
    result.set("runs", runs);
    result.set("memory", memory);
    result.set("cold_start", coldStart);
    return result;
  }

  // ---- one measured run ------------------------------------------------------------------------

  /** A short warm-up at the same rate (discarded), then the measured attack with CPU read around it. */
  private ObjectNode vegetaRun(String scenario, Mode mode, Gateway gateway, Path targets, int rate) throws Exception {
    awaitQuiet();
    vegeta.attack(targets, rate, plan.warmupS(), work.resolve("warmup.bin"));
    Thread.sleep(500);
    Sample before = sample(gateway);
    Path results = work.resolve("run.bin");
    vegeta.attack(targets, rate, plan.durationS(), results);
    Sample after = sample(gateway);
    ObjectNode run = base(scenario, mode, rate, plan.durationS());
    run.setAll(vegeta.summarise(results));
    long requests = run.path("requests").asLong();
    run.setAll(costs(before, after, requests, (after.generatorTicks - before.generatorTicks) / clkTck));
    boolean sustained = run.path("success").asDouble() >= SUCCESS_FLOOR
        && run.path("ok_per_s").asDouble() >= RATE_FLOOR * rate
        && run.path("latency_ms").path("p99").asDouble() <= P99_CEILING_MS;
    run.put("sustained", sustained);
    runs.add(run);
    JsonNode lat = run.path("latency_ms");
    log(String.format("%-4s %5d/s %-26s ok/s %7.1f success %.4f p50 %.2f p99 %.2f p99.9 %.2f ms%s", scenario, rate,
        mode.title(), run.path("ok_per_s").asDouble(), run.path("success").asDouble(), lat.path("p50").asDouble(),
        lat.path("p99").asDouble(), lat.path("p99_9").asDouble(),
        sustained ? "" : "  NOT sustained" + (run.has("first_error") ? " (" + run.path("first_error").asText() + ")" : "")));
    Thread.sleep(1000);
    return run;
  }

  private void streamRun(Mode mode, Gateway gateway, Path body) throws Exception {
    awaitQuiet();
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-cp", System.getProperty("java.class.path"),
        StreamLoadClient.class.getName(),
        "--url", "http://127.0.0.1:" + gateway.port + "/v1/chat/completions",
        "--body-file", body.toString(),
        "--rate", Integer.toString(plan.streamRate()),
        "--warmup-s", Double.toString(plan.streamWarmupS()),
        "--duration-s", Double.toString(plan.streamDurationS()),
        "--timeout-s", "30"));
    for (String[] header : mode.headers()) {
      command.add("--header");
      command.add(header[0] + ":" + header[1]);
    }
    Process client = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("stream-client.log").toFile()))
        .start();
    LIVE.add(client);
    streamClientPid = client.pid();
    Sample before = null;
    Sample after = null;
    JsonNode result = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.equals("measure-start")) {
          before = sample(gateway);
        } else if (line.equals("measure-end")) {
          after = sample(gateway);
        } else if (line.startsWith("result ")) {
          result = JSON.readTree(line.substring("result ".length()));
        }
      }
    }
    if (!client.waitFor(30, TimeUnit.SECONDS)) {
      client.destroyForcibly();
    }
    streamClientPid = 0;
    if (before == null || after == null || result == null) {
      throw new IOException("stream client gave no result; see " + work.resolve("stream-client.log"));
    }
    ObjectNode run = base("stream", mode, plan.streamRate(), plan.streamDurationS());
    run.setAll((ObjectNode) result);
    long streams = run.path("streams").asLong();
    run.put("requests", streams);
    run.put("success", streams == 0 ? 0 : run.path("ok").asDouble() / streams);
    run.setAll(costs(before, after, streams, result.path("client_cpu_s").asDouble()));
    runs.add(run);
    log(String.format("%-6s %3d/s %-26s ok %d/%d ttft p50 %.2f p99 %.2f; gap p50 %.3f p99 %.3f ms%s", "stream",
        plan.streamRate(), mode.title(), run.path("ok").asLong(), streams,
        run.path("ttft_ms").path("p50").asDouble(), run.path("ttft_ms").path("p99").asDouble(),
        run.path("inter_chunk_ms").path("p50").asDouble(), run.path("inter_chunk_ms").path("p99").asDouble(),
        run.has("first_error") ? "  (" + run.path("first_error").asText() + ")" : ""));
    Thread.sleep(1000);
  }

  private ObjectNode base(String scenario, Mode mode, int rate, double seconds) {
    ObjectNode run = JSON.createObjectNode();
    run.put("scenario", scenario);
    run.put("mode", mode.name());
    run.put("target_rate", rate);
    run.put("duration_s", seconds);
    return run;
  }

  /** Seconds still allowed for waiting on other work on the machine, over the whole run. */
  private double quietBudgetS = 90;

  /**
   * On a shared machine, waits (at most 20 s per run and 90 s in all) until processes outside this
   * benchmark use less than {@value #QUIET_CORES} cores, so a run does not start in the middle of
   * someone's build.
   */
  private void awaitQuiet() throws InterruptedException {
    double waited = 0;
    while (true) {
      long[] a = ProcStat.machineTicks();
      long oursA = oursTicks();
      Thread.sleep(1000);
      long[] b = ProcStat.machineTicks();
      double cores = Math.max(0, (b[0] - a[0]) - (b[2] - a[2]) - (oursTicks() - oursA)) / clkTck;
      if (cores < QUIET_CORES || quietBudgetS <= 0 || waited >= 20) {
        if (waited > 0) {
          log(String.format("waited %.0f s for other work on the machine; %.2f cores busy now%s", waited, cores,
              cores < QUIET_CORES ? "" : ", going on anyway (see column 'other')"));
        }
        return;
      }
      waited += 1;
      quietBudgetS -= 1;
    }
  }

  private static final double QUIET_CORES = 0.3;

  // ---- CPU and memory --------------------------------------------------------------------------

  /**
   * @param oursTicks every process of this benchmark (all three gateways, provider, generator, this
   *                  one), to tell how much of the machine's busy time was someone else's
   */
  private record Sample(long envoyTicks, long envoyWorkerTicks, long jvmTicks, Map<String, Long> jvmThreads, long providerTicks,
      long generatorTicks, long oursTicks, long[] machine, JsonNode stats, long nanos) {
  }

  private Sample sample(Gateway gateway) throws IOException {
    JsonNode stats = gateway.stats();
    long nanos = System.nanoTime();
    long ours = oursTicks();
    return new Sample(ProcStat.cpuTicks(gateway.envoyPid), ProcStat.envoyWorkerTicks(gateway.envoyPid),
        ProcStat.cpuTicks(gateway.jvmPid),
        ProcStat.jvmThreadTicks(gateway.jvmPid), ProcStat.cpuTicks(providerPid), ProcStat.reapedChildrenTicks(), ours, ProcStat.machineTicks(), stats, nanos);
  }

  /** CPU ticks of every process of this benchmark so far (reaped children included). */
  private long oursTicks() {
    long ours = ProcStat.cpuTicks(ProcessHandle.current().pid()) + ProcStat.reapedChildrenTicks()
        + ProcStat.cpuTicks(providerPid) + Math.max(0, streamClientPid == 0 ? 0 : ProcStat.cpuTicks(streamClientPid));
    for (Gateway each : gateways.values()) {
      ours += ProcStat.cpuTicks(each.jvmPid) + ProcStat.cpuTicks(each.envoyPid);
    }
    return ours;
  }

  /** CPU seconds per 1,000 requests for each process, and the gateway JVM's GC and allocation. */
  private ObjectNode costs(Sample before, Sample after, long requests, double generatorSeconds) {
    double perK = requests == 0 ? 0 : 1000.0 / requests;
    ObjectNode cpu = JSON.createObjectNode();
    cpu.put("envoy", round((after.envoyTicks - before.envoyTicks) / clkTck * perK, 4));
    cpu.put("tollgate_jvm", round((after.jvmTicks - before.jvmTicks) / clkTck * perK, 4));
    for (String kind : after.jvmThreads.keySet()) {
      cpu.put("tollgate_jvm_" + kind,
          round((after.jvmThreads.get(kind) - before.jvmThreads.getOrDefault(kind, 0L)) / clkTck * perK, 4));
    }
    cpu.put("provider", round((after.providerTicks - before.providerTicks) / clkTck * perK, 4));
    cpu.put("generator", round(generatorSeconds * perK, 4));
    ObjectNode out = JSON.createObjectNode();
    out.set("cpu_s_per_1k", cpu);
    double window = (after.nanos - before.nanos) / 1e9;
    out.put("window_s", round(window, 3));
    // Envoy runs one worker thread: this share of one core is how close it is to its ceiling.
    out.put("envoy_worker_busy", round((after.envoyWorkerTicks - before.envoyWorkerTicks) / clkTck / window, 3));
    long busy = after.machine[0] - before.machine[0];
    long total = after.machine[1] - before.machine[1];
    out.put("machine_busy", total == 0 ? 0 : round((double) busy / total, 3));
    // CPU that none of this benchmark's processes used, interrupts aside: other work on the machine,
    // i.e. noise. Interrupt time is reported on its own; on loopback it is mostly our own traffic.
    long interrupts = after.machine[2] - before.machine[2];
    out.put("other_cores",
        round(Math.max(0, busy - interrupts - (after.oursTicks - before.oursTicks)) / clkTck / window, 2));
    out.put("interrupt_cores", round(interrupts / clkTck / window, 2));
    out.put("jvm_gc_ms_per_1k", round((after.stats.path("gc-ms").asLong() - before.stats.path("gc-ms").asLong()) * perK, 3));
    out.put("jvm_gc_count", after.stats.path("gc-count").asLong() - before.stats.path("gc-count").asLong());
    out.put("jvm_alloc_kb_per_request", requests == 0 ? 0
        : round(Math.max(0, after.stats.path("allocated-bytes").asLong() - before.stats.path("allocated-bytes").asLong())
            / 1024.0 / requests, 2));
    return out;
  }

  private ObjectNode heapAfterGc(Map<Mode, Gateway> gateways) throws IOException {
    ObjectNode out = JSON.createObjectNode();
    for (Map.Entry<Mode, Gateway> entry : gateways.entrySet()) {
      Gateway gateway = entry.getValue();
      JsonNode heap = gateway.command("gc");
      ObjectNode mode = JSON.createObjectNode();
      mode.put("heap_after_gc_mib", round(heap.path("used-bytes").asLong() / 1048576.0, 1));
      mode.put("heap_committed_mib", round(heap.path("committed-bytes").asLong() / 1048576.0, 1));
      mode.put("jvm_rss_mib", round(ProcStat.rssBytes(gateway.jvmPid) / 1048576.0, 1));
      mode.put("envoy_rss_mib", round(ProcStat.rssBytes(gateway.envoyPid) / 1048576.0, 1));
      out.set(entry.getKey().name(), mode);
    }
    log("heap after GC: " + out.toString());
    return out;
  }

  // ---- processes -------------------------------------------------------------------------------

  /** Starts the fake provider JVM; returns its port. */
  private int startProvider() throws IOException {
    // The JDK's HTTP server keeps at most 200 idle connections and closes any beyond that as they go
    // idle, racing Envoy, which may be reusing them (upstream resets, retries, the odd 503) whenever
    // a burst has grown Envoy's pool past 200. That is the fake's limit, not the gateway's.
    Process provider = new ProcessBuilder(javaBinary(), "-Dsun.net.httpserver.maxIdleConnections=4096",
        "-cp", System.getProperty("java.class.path"),
        "dev.tollgate.fakeprovider.FakeOpenAiProviderMain", "--port", "0",
        "--chunks", Integer.toString(plan.chunks()),
        "--inter-chunk-delay-ms", Integer.toString(plan.interChunkDelayMs()))
        .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("provider.log").toFile()))
        .start();
    LIVE.add(provider);
    recordPid(pidFile, provider.pid(), "provider");
    String first = new BufferedReader(new InputStreamReader(provider.getInputStream(), StandardCharsets.UTF_8)).readLine();
    if (first == null) {
      throw new IOException("fake provider exited; see " + work.resolve("provider.log"));
    }
    int port = Integer.parseInt(first.strip());
    providerPid = provider.pid();
    log("fake provider on port " + port + " (pid " + providerPid + ")");
    return port;
  }

  /** One BenchGateway JVM and its Envoy, driven over stdin/stdout. */
  static final class Gateway implements AutoCloseable {
    final Mode mode;
    final int port;
    final Process process;
    final BufferedReader out;
    final Writer in;
    final long jvmPid;
    final long envoyPid;
    final Path dir;

    private Gateway(Mode mode, int port, Process process, BufferedReader out, Writer in, long jvmPid, long envoyPid,
        Path dir) {
      this.mode = mode;
      this.port = port;
      this.process = process;
      this.out = out;
      this.in = in;
      this.jvmPid = jvmPid;
      this.envoyPid = envoyPid;
      this.dir = dir;
    }

    static Gateway start(Mode mode, Path dir, int providerPort, Set<Integer> taken, Path pidFile) throws Exception {
      Files.createDirectories(dir);
      int port = freePort(taken);
      Path config = dir.resolve("tollgate.yaml");
      Files.writeString(config, """
          listener: { address: 127.0.0.1, port: %d }
          control_plane: { address: 127.0.0.1, grpc_port: %d, admin_port: %d }
          limits: { max_request_body_bytes: 1048576 }
          backends:
            - name: fake
              kind: openai-compatible
              endpoints: [ { host: 127.0.0.1, port: %d } ]
          models:
            - name: %s
              targets: [ { backend: fake, model: bench-upstream } ]
          consumers:
            - name: bench
              api_keys: [ "sha256:%s" ]
              models: [ "*" ]
          """.formatted(port, freePort(taken), freePort(taken), providerPort, MODEL, Sha256.hex(KEY)));
      Process process = new ProcessBuilder(javaBinary(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
          "-cp", System.getProperty("java.class.path"), BenchGateway.class.getName(),
          config.toString(), mode.filters.name(), dir.toString())
          .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("gateway.log").toFile()))
          .start();
      LIVE.add(process);
      recordPid(pidFile, process.pid(), "gateway-jvm");
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      if (ready == null || !ready.startsWith("ready ")) {
        throw new IOException("gateway " + mode + " did not start (" + ready + "); see " + dir);
      }
      Map<String, String> fields = keyValues(ready);
      long envoyPid = Long.parseLong(fields.get("envoy-pid"));
      ENVOY_PIDS.add(envoyPid);
      recordPid(pidFile, envoyPid, "envoy");
      return new Gateway(mode, port, process, out,
          new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
          Long.parseLong(fields.get("jvm-pid")), envoyPid, dir);
    }

    /** Sends one command, reads its one-line answer as key=value pairs. */
    synchronized JsonNode command(String command) throws IOException {
      if (!process.isAlive()) {
        throw new IOException("gateway " + mode + " died; see " + dir);
      }
      in.write(command + "\n");
      in.flush();
      String line = out.readLine();
      if (line == null || line.startsWith("error")) {
        throw new IOException("gateway " + mode + " answered '" + line + "' to " + command + "; see " + dir);
      }
      ObjectNode node = JSON.createObjectNode();
      keyValues(line).forEach((key, value) -> node.put(key, Long.parseLong(value)));
      return node;
    }

    JsonNode stats() throws IOException {
      return command("stats");
    }

    @Override
    public void close() {
      try {
        in.write("quit\n");
        in.close();
      } catch (IOException e) {
        // already gone
      }
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroy();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops every child still running: on normal exit, on failure and on Ctrl-C or kill. */
  private static void stopEverything() {
    for (Process process : LIVE) {
      if (process.isAlive()) {
        process.destroy(); // SIGTERM: a gateway JVM's shutdown hook stops its Envoy
      }
    }
    for (Process process : LIVE) {
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
      }
    }
    for (long pid : ENVOY_PIDS) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static synchronized void recordPid(Path pidFile, long pid, String kind) throws IOException {
    Files.writeString(pidFile, pid + " " + kind + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  // ---- inputs ----------------------------------------------------------------------------------

  /** A chat completion body of exactly {@code bytes} bytes (at least its fixed parts), like SequentialLatency's. */
  static String chatBody(int bytes, boolean stream) {
    String head = "{\"model\":\"" + MODEL + "\"," + (stream ? "\"stream\":true," : "")
        + "\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":\"";
    String tail = "\"}],\"max_tokens\":64}";
    String filler = "Summarise the quarterly figures for the board in three short bullet points. ";
    StringBuilder text = new StringBuilder();
    while (head.length() + text.length() + tail.length() < bytes) {
      text.append(filler);
    }
    if (bytes > 0) {
      text.setLength(Math.max(0, bytes - head.length() - tail.length()));
    } else {
      text.append(filler);
    }
    return head + text + tail;
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(work.resolve(name), content);
  }

  /** A vegeta target file (http format): one POST with this mode's headers and the body file. */
  private Path targets(Mode mode, int port, Path body, String name) throws IOException {
    StringBuilder text = new StringBuilder("POST http://127.0.0.1:" + port + "/v1/chat/completions\n");
    text.append("Content-Type: application/json\n");
    for (String[] header : mode.headers()) {
      text.append(header[0]).append(": ").append(header[1]).append('\n');
    }
    text.append('@').append(body).append('\n');
    return write("targets-" + name + "-" + mode.letter + ".txt", text.toString());
  }

  // ---- small helpers ---------------------------------------------------------------------------

  private static Map<String, String> keyValues(String line) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String token : line.trim().split("\\s+")) {
      int eq = token.indexOf('=');
      if (eq > 0) {
        fields.put(token.substring(0, eq), token.substring(eq + 1));
      }
    }
    return fields;
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static int freePort(Set<Integer> taken) throws IOException {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        if (taken.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    }
  }


  static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }

  private void log(String message) {
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    System.err.printf("[%02d:%02d] %s%n", seconds / 60, seconds % 60, message);
  }

  private static void deleteTree(Path root) {
    try (var files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
