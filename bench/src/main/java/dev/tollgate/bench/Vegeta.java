package dev.tollgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Drives vegeta (a separate process): {@code attack} at a constant rate, then {@code encode} to CSV
 * for exact percentiles (vegeta's own report estimates them with a t-digest and has no p99.9) and
 * {@code report -type=json} for the achieved send rate and throughput.
 */
final class Vegeta {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Per request; an overloaded run ends at most this long after its last request was sent. */
  static final int TIMEOUT_SECONDS = 10;

  private final Path binary;
  private final Path logFile;
  private final Consumer<Process> track;

  /**
   * @param track told about every started process, so the caller can stop it on shutdown
   */
  Vegeta(Path binary, Path logFile, Consumer<Process> track) {
    this.binary = binary;
    this.logFile = logFile;
    this.track = track;
  }

  /** Runs an attack to its end; results go to {@code output} in vegeta's binary format. */
  void attack(Path targets, int rate, double seconds, Path output) throws IOException, InterruptedException {
    List<String> command = List.of(binary.toString(), "attack",
        "-targets=" + targets, "-format=http",
        "-rate=" + rate + "/1s", "-duration=" + Math.round(seconds * 1000) + "ms",
        "-timeout=" + TIMEOUT_SECONDS + "s",
        // The body is read to the end either way; keeping only its start keeps the results small
        // and still shows what an error reply said.
        "-max-body=256",
        "-output=" + output);
    Process process = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    track.accept(process);
    long limit = Math.round(seconds) + TIMEOUT_SECONDS + 30;
    if (!process.waitFor(limit, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IOException("vegeta attack did not end within " + limit + " s");
    }
    if (process.exitValue() != 0) {
      throw new IOException("vegeta attack exited with " + process.exitValue() + "; see " + logFile);
    }
  }

  /**
   * Reads an attack's results: exact latency percentiles over every request (failed ones too, as
   * vegeta counts them), status codes, the first error, and vegeta's own rate and throughput.
   */
  ObjectNode summarise(Path results) throws IOException, InterruptedException {
    List<Long> latencies = new ArrayList<>();
    TreeMap<String, Integer> codes = new TreeMap<>();
    long ok = 0;
    String firstError = null;
    long firstSent = Long.MAX_VALUE;
    List<Long> errorTimes = new ArrayList<>();
    Process encode = new ProcessBuilder(binary.toString(), "encode", "-to=csv", results.toString())
        .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    track.accept(encode);
    try (BufferedReader csv = new BufferedReader(new InputStreamReader(encode.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = csv.readLine(); line != null; line = csv.readLine()) {
        // timestamp, code, latency, bytes_out, bytes_in, error, body, attack, seq, method, url, headers
        List<String> fields = csvFields(line, 7);
        int code = Integer.parseInt(fields.get(1));
        long sent = Long.parseLong(fields.get(0));
        firstSent = Math.min(firstSent, sent);
        latencies.add(Long.parseLong(fields.get(2)));
        codes.merge(Integer.toString(code), 1, Integer::sum);
        if (code == 200) {
          ok++;
        } else {
          errorTimes.add(sent);
        }
        if (code != 200 && firstError == null) {
          String body = new String(Base64.getDecoder().decode(fields.get(6)), StandardCharsets.UTF_8)
              .replaceAll("\\s+", " ").strip();
          firstError = "status " + code + (fields.get(5).isEmpty() ? "" : ": " + fields.get(5))
              + (body.isEmpty() ? "" : ", body: " + body);
        }
      }
    }
    if (!encode.waitFor(60, TimeUnit.SECONDS) || encode.exitValue() != 0) {
      throw new IOException("vegeta encode failed; see " + logFile);
    }
    Process report = new ProcessBuilder(binary.toString(), "report", "-type=json", results.toString())
        .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    track.accept(report);
    JsonNode vegeta = JSON.readTree(report.getInputStream().readAllBytes());
    if (!report.waitFor(60, TimeUnit.SECONDS) || report.exitValue() != 0) {
      throw new IOException("vegeta report failed; see " + logFile);
    }
    long[] nanos = latencies.stream().mapToLong(Long::longValue).toArray();
    ObjectNode out = JSON.createObjectNode();
    out.put("requests", nanos.length);
    out.put("ok", ok);
    out.put("success", nanos.length == 0 ? 0 : (double) ok / nanos.length);
    // rate: requests sent per second over the sending window; throughput: successful responses per
    // second over the sending window plus the wait for the last response.
    out.put("sent_per_s", vegeta.path("rate").asDouble());
    out.put("ok_per_s", vegeta.path("throughput").asDouble());
    out.set("status_codes", JSON.valueToTree(codes));
    if (firstError != null) {
      out.put("first_error", firstError);
      // When in the run the failures were sent: all at the start points at stale connections, spread
      // out at load.
      ArrayNode at = out.putArray("error_sent_at_s");
      for (long sent : errorTimes.subList(0, Math.min(20, errorTimes.size()))) {
        at.add(Math.round((sent - firstSent) / 1e6) / 1e3);
      }
    }
    out.set("latency_ms", Percentiles.summaryMillis(nanos));
    ObjectNode digest = JSON.createObjectNode();
    JsonNode lat = vegeta.path("latencies");
    for (String name : new String[] {"50th", "90th", "99th", "max"}) {
      digest.put(name, Math.round(lat.path(name).asDouble() / 1e3) / 1e3);
    }
    out.set("vegeta_report_latency_ms", digest);
    return out;
  }

  /** The first {@code count} fields of an RFC 4180 line (quotes around fields with commas or quotes). */
  static List<String> csvFields(String line, int count) {
    List<String> fields = new ArrayList<>(count);
    int i = 0;
    while (fields.size() < count && i <= line.length()) {
      StringBuilder field = new StringBuilder();
      if (i < line.length() && line.charAt(i) == '"') {
        i++;
        while (i < line.length()) {
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < line.length() && line.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(c);
          }
        }
        i++; // the comma
      } else {
        int comma = line.indexOf(',', i);
        int end = comma < 0 ? line.length() : comma;
        field.append(line, i, end);
        i = end + 1;
      }
      fields.add(field.toString());
    }
    while (fields.size() < count) {
      fields.add("");
    }
    return fields;
  }
}
