package dev.tollgate.fakeprovider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The small pure pieces: settings, argument parsing, reply text, token estimate, behaviour hook. */
class UnitsTest {

  @Test
  void settingsDefaultsAndCopies() {
    FakeProviderSettings defaults = FakeProviderSettings.defaults();

    assertThat(defaults).isEqualTo(new FakeProviderSettings("127.0.0.1", 0, Duration.ZERO, Duration.ZERO, 8, "fake"));
    FakeProviderSettings changed = defaults.withHost("localhost").withPort(8080).withDelay(Duration.ofMillis(5))
        .withInterChunkDelay(Duration.ofMillis(6)).withStreamChunks(3).withName("b");
    assertThat(changed).isEqualTo(
        new FakeProviderSettings("localhost", 8080, Duration.ofMillis(5), Duration.ofMillis(6), 3, "b"));
    assertThatThrownBy(() -> defaults.withStreamChunks(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> defaults.withPort(70_000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> defaults.withDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> defaults.withName("a\r\nb")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mainParsesItsFourFlags() {
    FakeProviderSettings settings = FakeOpenAiProviderMain.parse(
        new String[] {"--port", "9001", "--delay-ms", "10", "--inter-chunk-delay-ms", "20", "--chunks", "4"});

    assertThat(settings).isEqualTo(FakeProviderSettings.defaults().withPort(9001)
        .withDelay(Duration.ofMillis(10)).withInterChunkDelay(Duration.ofMillis(20)).withStreamChunks(4));
    assertThat(FakeOpenAiProviderMain.parse(new String[0])).isEqualTo(FakeProviderSettings.defaults());
    assertThatThrownBy(() -> FakeOpenAiProviderMain.parse(new String[] {"--port"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--port");
    assertThatThrownBy(() -> FakeOpenAiProviderMain.parse(new String[] {"--chunks", "many"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FakeOpenAiProviderMain.parse(new String[] {"--verbose", "1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--verbose");
  }

  @Test
  void piecesAreExactlyCountAndRejoinWithoutSplittingCodePoints() {
    CannedReply reply = CannedReply.answering("f", "smile 😀😀", OptionalInt.empty());

    for (int count : new int[] {1, 3, 8, 100}) {
      assertThat(reply.pieces(count)).hasSize(count);
      assertThat(String.join("", reply.pieces(count))).isEqualTo(reply.text());
    }
    assertThat(reply.pieces(reply.text().codePointCount(0, reply.text().length())))
        .allMatch(piece -> piece.codePointCount(0, piece.length()) == 1);
  }

  @Test
  void tokenEstimateIsFourCharactersPerTokenRoundedUpAtLeastOne() {
    assertThat(TokenEstimate.of("")).isEqualTo(1);
    assertThat(TokenEstimate.of("abcd")).isEqualTo(1);
    assertThat(TokenEstimate.of("abcde")).isEqualTo(2);
    assertThat(TokenEstimate.of("😀😀😀😀")).isEqualTo(1);
  }

  @Test
  void behaviorHeaderOnlyForcesErrorStatusesAndTheNamedFaults() {
    assertThat(BehaviorHeader.parse("status-503")).hasValue(new BehaviorHeader.Misbehavior.Status(503));
    assertThat(BehaviorHeader.parse(" Status-400 ")).hasValue(new BehaviorHeader.Misbehavior.Status(400));
    assertThat(BehaviorHeader.parse("status-200")).isEmpty();
    assertThat(BehaviorHeader.parse("status-")).isEmpty();
    assertThat(BehaviorHeader.parse(null)).isEmpty();
    assertThat(BehaviorHeader.parse("reset")).hasValue(new BehaviorHeader.Misbehavior.Reset());
    assertThat(BehaviorHeader.parse("stall-first-byte")).hasValue(new BehaviorHeader.Misbehavior.StallFirstByte());
    assertThat(BehaviorHeader.parse("stall-mid-stream")).hasValue(new BehaviorHeader.Misbehavior.StallMidStream());
    assertThat(BehaviorHeader.parse("explode")).isEmpty();
  }
}
