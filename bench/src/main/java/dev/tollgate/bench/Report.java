package dev.tollgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.bench.LoadBenchmark.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/** The markdown report of one load benchmark run, from its raw JSON. */
final class Report {
  private Report() {
  }

  static String markdown(JsonNode result) {
    JsonNode plan = result.path("plan");
    List<JsonNode> runs = new ArrayList<>();
    result.path("runs").forEach(runs::add);
    StringBuilder md = new StringBuilder();

    md.append(String.format(Locale.ROOT, """
        Plan `%s`, %.0f s in all. 1 KB ladder %s req/s, each %.0f s after a %.0f s warm-up at the same rate \
        (plus %.0f s at %d req/s per mode before the first, the first %.0f s of which is reported as the cold start); streams: %d/s for %.0f s, %d content chunks \
        %d ms apart from the provider; 32 KB: %s req/s. Request timeout %d s.

        **Sustained** = success ≥ %.1f%%, successful responses/s ≥ %.0f%% of the target rate, and p99 ≤ %.0f ms. \
        **Saturation throughput** = the highest ladder rate a mode sustained; a mode stops climbing after its \
        first rate that it does not sustain. Latency is measured from each request's scheduled send time, \
        over every request (failed ones too). "added" = this mode minus (a) at the same rate. \
        CPU = utime+stime from /proc/<pid>/stat over the measured run, in CPU seconds per 1,000 requests; \
        for the Tollgate JVM, "(JIT …)" is the part spent by its C1/C2 compiler threads, which is warm-up, not \
        per-request cost.

        """, plan.path("name").asText(), plan.path("elapsed_s").asDouble(), join(plan.path("rates")),
        plan.path("durationS").asDouble(), plan.path("warmupS").asDouble(), plan.path("initialWarmupS").asDouble(),
        plan.path("initialWarmupRate").asInt(), plan.path("coldStartS").asDouble(), plan.path("streamRate").asInt(), plan.path("streamDurationS").asDouble(),
        plan.path("chunks").asInt(), plan.path("interChunkDelayMs").asInt(), join(plan.path("bigRates")),
        plan.path("request_timeout_s").asInt(), plan.path("success_floor").asDouble() * 100,
        plan.path("rate_floor").asDouble() * 100, plan.path("p99_ceiling_ms").asDouble()));

    // --- 1 KB headline ---
    List<Integer> rates = new ArrayList<>();
    plan.path("rates").forEach(r -> rates.add(r.asInt()));
    int low = rates.get(0);
    int ref = low;
    for (int rate : rates) {
      final int r = rate;
      boolean all = true;
      for (Mode mode : Mode.values()) {
        all &= find(runs, "1k", mode, r).map(run -> run.path("sustained").asBoolean()).orElse(false);
      }
      if (all) {
        ref = rate;
      }
    }
    md.append("## 1 KB chat completions\n\n");
    md.append(String.format("| mode | saturation req/s | peak ok/s | p50 / p90 / p99 / p99.9 ms at %d/s | added over (a) "
        + "| p50 / p90 / p99 / p99.9 ms at %d/s | added over (a) | CPU s/1k req at %d/s: Envoy | Tollgate JVM "
        + "| Envoy worker busy |%n", low, ref, ref));
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Mode mode : Mode.values()) {
      Optional<JsonNode> atLow = find(runs, "1k", mode, low);
      Optional<JsonNode> atRef = find(runs, "1k", mode, ref);
      md.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", mode.title(),
          saturation(runs, mode, rates), peak(runs, mode),
          atLow.map(run -> quad(run.path("latency_ms"))).orElse("–"),
          addedQuad(runs, "1k", mode, low),
          atRef.map(run -> quad(run.path("latency_ms"))).orElse("–"),
          addedQuad(runs, "1k", mode, ref),
          atRef.map(run -> num(run.path("cpu_s_per_1k").path("envoy").asDouble(), 3)).orElse("–"),
          atRef.map(run -> jvmCpu(run.path("cpu_s_per_1k"))).orElse("–"),
          atRef.map(run -> percent0(run.path("envoy_worker_busy").asDouble())).orElse("–")));
    }

    // --- streams ---
    md.append(String.format("%n## Streamed completions (%d chunks), %d streams/s%n%n", plan.path("chunks").asInt(),
        plan.path("streamRate").asInt()));
    md.append("| mode | ok / streams | TTFT p50 / p99 / p99.9 ms | TTFT added | inter-chunk p50 / p99 / p99.9 ms "
        + "| inter-chunk added | whole stream p50 / p99 ms | CPU s/1k streams: Envoy | Tollgate JVM |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Mode mode : Mode.values()) {
      find(runs, "stream", mode, plan.path("streamRate").asInt()).ifPresent(run -> md.append(String.format(
          "| %s | %d / %d | %s | %s | %s | %s | %s / %s | %s | %s |%n", mode.title(), run.path("ok").asLong(),
          run.path("streams").asLong(), triple(run.path("ttft_ms")),
          added(runs, "stream", mode, run.path("target_rate").asInt(), "ttft_ms"),
          triple3(run.path("inter_chunk_ms")),
          added3(runs, "stream", mode, run.path("target_rate").asInt(), "inter_chunk_ms"),
          num(run.path("stream_ms").path("p50").asDouble(), 2), num(run.path("stream_ms").path("p99").asDouble(), 2),
          num(run.path("cpu_s_per_1k").path("envoy").asDouble(), 3),
          jvmCpu(run.path("cpu_s_per_1k")))));
    }

    // --- 32 KB ---
    md.append("\n## 32 KB prompts\n\n");
    md.append("| mode | rate | success | p50 / p99 / p99.9 ms | added over (a) | CPU s/1k req: Envoy | Tollgate JVM "
        + "| JVM alloc KB/req |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    for (JsonNode bigRate : plan.path("bigRates")) {
      for (Mode mode : Mode.values()) {
        find(runs, "32k", mode, bigRate.asInt()).ifPresent(run -> md.append(String.format(
            "| %s | %d/s | %s | %s | %s | %s | %s | %s |%n", mode.title(), run.path("target_rate").asInt(),
            percent(run.path("success").asDouble()), triple(run.path("latency_ms")),
            added(runs, "32k", mode, run.path("target_rate").asInt(), "latency_ms"),
            num(run.path("cpu_s_per_1k").path("envoy").asDouble(), 3),
            jvmCpu(run.path("cpu_s_per_1k")),
            num(run.path("jvm_alloc_kb_per_request").asDouble(), 1))));
      }
    }

    // --- memory ---
    md.append("\n## Memory (Tollgate JVM heap after a full GC; resident sets)\n\n");
    md.append("| mode | heap after GC MiB: after 1 KB / streams / 32 KB | heap committed MiB | JVM RSS MiB | Envoy RSS MiB |\n");
    md.append("|---|---|---|---|---|\n");
    JsonNode memory = result.path("memory");
    for (Mode mode : Mode.values()) {
      JsonNode last = memory.path("32k").path(mode.name());
      md.append(String.format("| %s | %s / %s / %s | %s | %s | %s |%n", mode.title(),
          num(memory.path("1k").path(mode.name()).path("heap_after_gc_mib").asDouble(), 1),
          num(memory.path("stream").path(mode.name()).path("heap_after_gc_mib").asDouble(), 1),
          num(last.path("heap_after_gc_mib").asDouble(), 1), num(last.path("heap_committed_mib").asDouble(), 0),
          num(last.path("jvm_rss_mib").asDouble(), 0), num(last.path("envoy_rss_mib").asDouble(), 0)));
    }

    // --- cold start ---
    md.append(String.format("%n## Cold start: the first %.0f s at %d req/s (1 KB) on a freshly started gateway%n%n",
        plan.path("coldStartS").asDouble(), plan.path("initialWarmupRate").asInt()));
    md.append("This is also the JIT warm-up; nothing above is measured before it.\n\n");
    md.append("| mode | success | status codes | p50 / p99 / p99.9 ms | max ms | first error |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (Mode mode : Mode.values()) {
      JsonNode cold = result.path("cold_start").path(mode.name());
      md.append(String.format("| %s | %s | %s | %s | %s | %s |%n", mode.title(), percent(cold.path("success").asDouble()),
          cold.path("status_codes").toString().replace("\"", ""), triple(cold.path("latency_ms")),
          num(cold.path("latency_ms").path("max").asDouble(), 1),
          cold.has("first_error") ? cold.path("first_error").asText().replace("|", "/") : "–"));
    }

    // --- every run ---
    md.append("\n## Every run\n\n");
    md.append("CPU columns are CPU seconds per 1,000 requests (streams for `stream`); busy = share of both cores "
        + "in use during the run; other = CPU cores used by processes not part of this benchmark during the run "
        + "(noise: anything above ~0.1 disturbs the figures); Envoy worker busy = share of one core used by Envoy's "
        + "only worker thread, which serves all traffic; GC and alloc are the Tollgate JVM's.\n\n");
    md.append("| scenario | rate | mode | sent/s | ok/s | success | p50 | p90 | p99 | p99.9 | max | +p50 | +p99 | +p99.9 "
        + "| Envoy | JVM | JVM JIT | JVM gRPC thr | provider | generator | Envoy worker busy | busy | other | GC ms/1k | alloc KB/req | sustained |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (JsonNode run : runs) {
      Mode mode = Mode.valueOf(run.path("mode").asText());
      String scenario = run.path("scenario").asText();
      int rate = run.path("target_rate").asInt();
      JsonNode lat = scenario.equals("stream") ? run.path("ttft_ms") : run.path("latency_ms");
      JsonNode base = find(runs, scenario, Mode.PLAIN, rate)
          .map(r -> scenario.equals("stream") ? r.path("ttft_ms") : r.path("latency_ms")).orElse(null);
      JsonNode cpu = run.path("cpu_s_per_1k");
      md.append(String.format("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s "
              + "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
          scenario.equals("stream") ? "stream (TTFT)" : scenario, rate, mode.letter,
          run.has("sent_per_s") ? num(run.path("sent_per_s").asDouble(), 0) : "–",
          run.has("ok_per_s") ? num(run.path("ok_per_s").asDouble(), 0) : "–",
          percent(run.path("success").asDouble()),
          num(lat.path("p50").asDouble(), 2), num(lat.path("p90").asDouble(), 2), num(lat.path("p99").asDouble(), 2),
          num(lat.path("p99_9").asDouble(), 2), num(lat.path("max").asDouble(), 1),
          diff(lat, base, "p50"), diff(lat, base, "p99"), diff(lat, base, "p99_9"),
          num(cpu.path("envoy").asDouble(), 3), num(cpu.path("tollgate_jvm").asDouble(), 3),
          num(cpu.path("tollgate_jvm_jit").asDouble(), 3), num(cpu.path("tollgate_jvm_grpc").asDouble(), 3),
          num(cpu.path("provider").asDouble(), 3), num(cpu.path("generator").asDouble(), 3),
          percent0(run.path("envoy_worker_busy").asDouble()), percent0(run.path("machine_busy").asDouble()), num(run.path("other_cores").asDouble(), 2), num(run.path("jvm_gc_ms_per_1k").asDouble(), 2),
          num(run.path("jvm_alloc_kb_per_request").asDouble(), 1),
          run.has("sustained") ? (run.path("sustained").asBoolean() ? "yes" : "**no**") : "–"));
    }
    List<String> errors = new ArrayList<>();
    for (JsonNode run : runs) {
      if (run.has("first_error")) {
        errors.add(String.format("- %s %d/s %s: %s; status codes %s%s", run.path("scenario").asText(),
            run.path("target_rate").asInt(), run.path("mode").asText(), run.path("first_error").asText(),
            run.path("status_codes"), run.has("error_sent_at_s")
                ? "; failed requests sent at (s into the run) " + run.path("error_sent_at_s") : ""));
      }
    }
    if (!errors.isEmpty()) {
      md.append("\nFirst error of each run that had one:\n\n").append(String.join("\n", errors)).append('\n');
    }
    return md.toString();
  }

  static Optional<JsonNode> find(List<JsonNode> runs, String scenario, Mode mode, int rate) {
    return runs.stream().filter(run -> run.path("scenario").asText().equals(scenario)
        && run.path("mode").asText().equals(mode.name()) && run.path("target_rate").asInt() == rate).findFirst();
  }

  private static String saturation(List<JsonNode> runs, Mode mode, List<Integer> rates) {
    TreeSet<Integer> sustained = new TreeSet<>();
    for (int rate : rates) {
      find(runs, "1k", mode, rate).filter(run -> run.path("sustained").asBoolean()).ifPresent(run -> sustained.add(rate));
    }
    if (sustained.isEmpty()) {
      return "< " + rates.get(0);
    }
    int best = sustained.last();
    return best == rates.get(rates.size() - 1) ? "≥ " + best : Integer.toString(best);
  }

  private static String peak(List<JsonNode> runs, Mode mode) {
    return num(runs.stream().filter(run -> run.path("scenario").asText().equals("1k")
        && run.path("mode").asText().equals(mode.name())).mapToDouble(run -> run.path("ok_per_s").asDouble())
        .max().orElse(0), 0);
  }

  private static String added(List<JsonNode> runs, String scenario, Mode mode, int rate, String field) {
    if (mode == Mode.PLAIN) {
      return "–";
    }
    Optional<JsonNode> run = find(runs, scenario, mode, rate);
    Optional<JsonNode> base = find(runs, scenario, Mode.PLAIN, rate);
    if (run.isEmpty() || base.isEmpty()) {
      return "n/a";
    }
    JsonNode a = run.get().path(field);
    JsonNode b = base.get().path(field);
    return diff(a, b, "p50") + " / " + diff(a, b, "p99") + " / " + diff(a, b, "p99_9");
  }

  private static String addedQuad(List<JsonNode> runs, String scenario, Mode mode, int rate) {
    if (mode == Mode.PLAIN) {
      return "–";
    }
    Optional<JsonNode> run = find(runs, scenario, mode, rate);
    Optional<JsonNode> base = find(runs, scenario, Mode.PLAIN, rate);
    if (run.isEmpty() || base.isEmpty()) {
      return "n/a";
    }
    JsonNode a = run.get().path("latency_ms");
    JsonNode b = base.get().path("latency_ms");
    return diff(a, b, "p50") + " / " + diff(a, b, "p90") + " / " + diff(a, b, "p99") + " / " + diff(a, b, "p99_9");
  }

  private static String quad(JsonNode lat) {
    return num(lat.path("p50").asDouble(), 2) + " / " + num(lat.path("p90").asDouble(), 2) + " / "
        + num(lat.path("p99").asDouble(), 2) + " / " + num(lat.path("p99_9").asDouble(), 2);
  }

  private static String added3(List<JsonNode> runs, String scenario, Mode mode, int rate, String field) {
    if (mode == Mode.PLAIN) {
      return "–";
    }
    Optional<JsonNode> run = find(runs, scenario, mode, rate);
    Optional<JsonNode> base = find(runs, scenario, Mode.PLAIN, rate);
    if (run.isEmpty() || base.isEmpty()) {
      return "n/a";
    }
    JsonNode a = run.get().path(field);
    JsonNode b = base.get().path(field);
    return String.format(Locale.ROOT, "%+.3f / %+.3f / %+.3f", a.path("p50").asDouble() - b.path("p50").asDouble(),
        a.path("p99").asDouble() - b.path("p99").asDouble(), a.path("p99_9").asDouble() - b.path("p99_9").asDouble());
  }

  private static String diff(JsonNode a, JsonNode b, String field) {
    if (a == null || b == null || a.isMissingNode() || b.isMissingNode() || a == b) {
      return "–";
    }
    return String.format(Locale.ROOT, "%+.2f", a.path(field).asDouble() - b.path(field).asDouble());
  }

  private static String jvmCpu(JsonNode cpu) {
    return num(cpu.path("tollgate_jvm").asDouble(), 3) + " (JIT " + num(cpu.path("tollgate_jvm_jit").asDouble(), 3) + ")";
  }

  private static String triple(JsonNode lat) {
    return num(lat.path("p50").asDouble(), 2) + " / " + num(lat.path("p99").asDouble(), 2) + " / "
        + num(lat.path("p99_9").asDouble(), 2);
  }

  private static String triple3(JsonNode lat) {
    return num(lat.path("p50").asDouble(), 3) + " / " + num(lat.path("p99").asDouble(), 3) + " / "
        + num(lat.path("p99_9").asDouble(), 3);
  }

  private static String num(double value, int digits) {
    return String.format(Locale.ROOT, "%." + digits + "f", value);
  }

  private static String percent(double ratio) {
    return String.format(Locale.ROOT, "%.2f%%", ratio * 100);
  }

  private static String percent0(double ratio) {
    return String.format(Locale.ROOT, "%.0f%%", ratio * 100);
  }

  private static String join(JsonNode array) {
    List<String> parts = new ArrayList<>();
    array.forEach(node -> parts.add(node.asText()));
    return String.join(", ", parts);
  }
}
