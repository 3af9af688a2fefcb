package dev.tollgate.proc.response;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseDecoderTest {
  private static final String STREAM = "data: {\"a\":\"h\u00e9llo \uD83D\uDE00\"}\n\n"
      + ": keep-alive\n\n"
      + "event: message\r\ndata: {\"b\":1}\r\n\r\n"
      + "data: line1\rdata: line2\r\r"
      + "data: [DONE]\n\n";

  @Test
  void decodesTheSameEventsWhereverTheBytesAreCutAndPassesThemOnByteForByte() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    List<SseEvent> whole = decode(List.of(bytes));
    assertThat(whole).extracting(SseEvent::data).containsExactly(
        "{\"a\":\"h\u00e9llo \uD83D\uDE00\"}", null, "{\"b\":1}", "line1\nline2", "[DONE]");
    assertThat(whole.get(4).isDone()).isTrue();
    for (int cut = 0; cut <= bytes.length; cut++) {
      for (int cut2 = cut; cut2 <= bytes.length; cut2 += 7) {
        List<SseEvent> split = decode(List.of(slice(bytes, 0, cut), slice(bytes, cut, cut2),
            slice(bytes, cut2, bytes.length)));
        assertThat(split).extracting(SseEvent::data).as("cut at %d and %d", cut, cut2)
            .isEqualTo(whole.stream().map(SseEvent::data).toList());
        assertThat(concat(split)).as("raw bytes cut at %d", cut).isEqualTo(bytes);
      }
    }
  }

  @Test
  void oneByteAtATime() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    List<byte[]> pieces = new ArrayList<>();
    for (byte b : bytes) {
      pieces.add(new byte[] {b});
    }
    assertThat(decode(pieces)).hasSize(5);
  }

  @Test
  void anEventCutOffByTheEndOfTheStreamIsReportedIncomplete() {
    SseDecoder decoder = new SseDecoder();
    assertThat(decoder.feed(ByteString.copyFromUtf8("data: {\"a\":1}\n\ndata: {\"trunc"))).hasSize(1);
    List<SseEvent> rest = decoder.finish();
    assertThat(rest).singleElement().satisfies(event -> {
      assertThat(event.complete()).isFalse();
      assertThat(event.data()).isEqualTo("{\"trunc");
    });
  }

  @Test
  void anOversizedEventIsDroppedAndTheStreamGoesOn() {
    SseDecoder decoder = new SseDecoder(64);
    List<SseEvent> events = new ArrayList<>(decoder.feed(ByteString.copyFromUtf8("data: " + "x".repeat(500))));
    events.addAll(decoder.feed(ByteString.copyFromUtf8("y".repeat(100) + "\n\ndata: ok\n\n")));
    assertThat(events).hasSize(2);
    assertThat(events.get(0).oversized()).isTrue();
    assertThat(events.get(0).raw()).isEmpty();
    assertThat(events.get(1).data()).isEqualTo("ok");
    assertThat(decoder.buffered()).isZero();
  }

  @Test
  void fieldWithoutSpaceAndUnknownFieldsFollowTheSpec() {
    List<SseEvent> events = new SseDecoder().feed(ByteString.copyFromUtf8("data:x\nid: 7\nretry: 10\ndata\n\n"));
    assertThat(events).singleElement().extracting(SseEvent::data).isEqualTo("x\n");
  }

  private static List<SseEvent> decode(List<byte[]> pieces) {
    SseDecoder decoder = new SseDecoder();
    List<SseEvent> events = new ArrayList<>();
    for (byte[] piece : pieces) {
      events.addAll(decoder.feed(ByteString.copyFrom(piece)));
    }
    events.addAll(decoder.finish());
    return events;
  }

  private static byte[] slice(byte[] bytes, int from, int to) {
    byte[] out = new byte[to - from];
    System.arraycopy(bytes, from, out, 0, out.length);
    return out;
  }

  private static byte[] concat(List<SseEvent> events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    events.forEach(event -> out.writeBytes(event.raw()));
    return out.toByteArray();
  }
}
