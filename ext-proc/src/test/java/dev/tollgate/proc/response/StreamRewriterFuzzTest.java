package dev.tollgate.proc.response;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.tollgate.core.config.PiiConfig;
import dev.tollgate.core.config.ResponseRewriteConfig;
import dev.tollgate.inspect.pii.PiiEngine;
import dev.tollgate.inspect.pii.Pseudonyms;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * The SSE codec and the stream rewriter on arbitrary provider bytes cut at arbitrary places.
 *
 * <ul>
 *   <li>{@link #decoderIsSplitInvariantAndLossless}: the events do not depend on where the bytes
 *       are cut, and (no event being oversized) their raw bytes concatenate back to the input.
 *   <li>{@link #rewriterNeverThrows}: with PII restore on, any byte stream in any cuts yields
 *       output and a defined end, never an exception (which would fail the client's request).
 * </ul>
 *
 * <p>In {@code mvn verify} each replays its seeds in
 * {@code src/test/resources/dev/tollgate/proc/response/StreamRewriterFuzzTestInputs/<method>/};
 * {@code bench/fuzz.sh} fuzzes them.
 */
class StreamRewriterFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PiiEngine PII = PiiEngine.compile(PiiConfig.defaults());

  @BeforeAll
  static void noBugDetectorHooksInRegressionMode() {
    if (System.getenv("JAZZER_FUZZ") == null && System.getProperty("JAZZER_FUZZ") == null
        && System.getProperty("jazzer.hooks") == null) {
      System.setProperty("jazzer.hooks", "false");
    }
  }

  @FuzzTest(maxDuration = "60s")
  void decoderIsSplitInvariantAndLossless(FuzzedDataProvider data) {
    int cuts = data.consumeInt(0, 8);
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < cuts; i++) {
      at.add(data.consumeInt(0, 4096));
    }
    byte[] bytes = data.consumeRemainingAsBytes();
    List<SseEvent> whole = decode(List.of(bytes));
    List<byte[]> pieces = split(bytes, at);
    List<SseEvent> split = decode(pieces);
    assertThat(split).extracting(SseEvent::data).isEqualTo(whole.stream().map(SseEvent::data).toList());
    assertThat(split).extracting(SseEvent::complete).isEqualTo(whole.stream().map(SseEvent::complete).toList());
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    split.forEach(event -> raw.writeBytes(event.raw()));
    if (split.stream().noneMatch(SseEvent::oversized)) {
      assertThat(raw.toByteArray()).isEqualTo(bytes);
    }
  }

  @FuzzTest(maxDuration = "60s")
  void rewriterNeverThrows(FuzzedDataProvider data) {
    boolean forced = data.consumeBoolean();
    int cut = data.consumeInt(0, 4096);
    byte[] bytes = data.consumeRemainingAsBytes();
    Pseudonyms pseudonyms = new Pseudonyms();
    PII.redactRequest("mail jane.doe@example.com", pseudonyms);
    StreamRewriter rewriter = new StreamRewriter(new ResponsePlan("/v1/chat/completions", "public-model", true,
        new UsageOptions.StreamUsage(!forced, forced), ResponseRewriteConfig.DEFAULTS,
        PiiTextTransform.of(PII, pseudonyms), System.nanoTime(), 1 << 20), JSON);
    List<byte[]> pieces = split(bytes, List.of(cut));
    for (int i = 0; i < pieces.size(); i++) {
      rewriter.accept(ByteString.copyFrom(pieces.get(i)), i == pieces.size() - 1);
    }
    assertThat(rewriter.ended()).isTrue();
  }

  private static List<SseEvent> decode(List<byte[]> pieces) {
    SseDecoder decoder = new SseDecoder(2048);
    List<SseEvent> events = new ArrayList<>();
    pieces.forEach(piece -> events.addAll(decoder.feed(ByteString.copyFrom(piece))));
    events.addAll(decoder.finish());
    return events;
  }

  private static List<byte[]> split(byte[] bytes, List<Integer> at) {
    List<Integer> points = at.stream().map(p -> Math.min(p, bytes.length)).sorted().toList();
    List<byte[]> pieces = new ArrayList<>();
    int from = 0;
    for (int point : points) {
      pieces.add(java.util.Arrays.copyOfRange(bytes, from, point));
      from = point;
    }
    pieces.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
    return pieces;
  }
}
