package dev.tollgate.inspect.pii;

import dev.tollgate.core.config.PiiConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * PII cost per request: redacting a 4 KB prompt (every built-in detector on, as with the default
 * {@code pii: {}} section), with and without values in it; and rewriting a streamed answer of
 * about 4 KB in 100 deltas (placeholders to restore, every type masked on the response).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PiiBench {
  private static final String FILLER =
      "The quarterly report covers revenue, churn and the roadmap for the next two releases. ";

  private PiiEngine requestEngine;
  private PiiEngine responseEngine;
  private String promptWithPii;
  private String promptClean;
  private List<String> chunks;
  private Pseudonyms pseudonyms;

  @Setup
  public void setUp() {
    requestEngine = PiiEngine.compile(PiiConfig.defaults());
    Map<String, String> mask = new LinkedHashMap<>();
    PiiConfig.BUILT_IN_TYPES.forEach(t -> mask.put(t, "mask"));
    responseEngine = PiiEngine.compile(new PiiConfig(null, null, null, mask, null));
    promptClean = fill(new StringBuilder(), 4096).toString();
    StringBuilder sb = new StringBuilder();
    String[] values = {"jane.doe@example.com", "(650) 253-0000", "4111 1111 1111 1111",
        "GB82 WEST 1234 5698 7654 32", "460-89-9847", "10.20.30.40"};
    for (String v : values) {
      sb.append(FILLER).append("Contact ").append(v).append(". ");
    }
    promptWithPii = fill(sb, 4096).toString();
    pseudonyms = new Pseudonyms();
    requestEngine.redactRequest(promptWithPii, pseudonyms);
    StringBuilder answer = new StringBuilder();
    while (answer.length() < 4096) {
      answer.append(FILLER).append("I will write to <EMAIL_1> and call <PHONE_1>. ");
    }
    chunks = new ArrayList<>();
    int size = answer.length() / 100 + 1;
    for (int at = 0; at < answer.length(); at += size) {
      chunks.add(answer.substring(at, Math.min(answer.length(), at + size)));
    }
  }

  private static StringBuilder fill(StringBuilder sb, int length) {
    while (sb.length() < length) {
      sb.append(FILLER);
    }
    sb.setLength(length);
    return sb;
  }

  @Benchmark
  public RequestRedaction redact4kPromptWithSixValues() {
    return requestEngine.redactRequest(promptWithPii, new Pseudonyms());
  }

  @Benchmark
  public RequestRedaction redact4kPromptWithoutPii() {
    return requestEngine.redactRequest(promptClean, new Pseudonyms());
  }

  @Benchmark
  public int stream100Chunks() {
    StreamTransformer stream = responseEngine.streamTransformer(pseudonyms);
    int sent = 0;
    for (String chunk : chunks) {
      sent += stream.accept(chunk).length();
    }
    return sent + stream.finish().length();
  }
}
