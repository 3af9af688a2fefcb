package dev.tollgate.inspect.pii;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Triggers only skip work: every built-in detector finds exactly what its plain regular
 * expression finds when tried at every position, on the evaluation corpus and the stream texts.
 */
class TriggerTest {
  private static List<String> scan(Detector detector, String text) {
    SpanScanner scanner = new SpanScanner(List.of(detector));
    int end = scanner.scan(text, true);
    List<SpanScanner.Found> found = new ArrayList<>();
    scanner.take(0, end, found);
    return found.stream().map(f -> f.start() + "-" + f.end()).toList();
  }

  @Test
  void triggeredScanFindsWhatThePlainScanFinds() throws IOException {
    List<String> texts = new ArrayList<>(List.of(PiiStreamTest.TEXTS));
    for (JsonNode sample : new ObjectMapper().readTree(new File("data/pii/presidio-synth-v2.json"))) {
      texts.add(sample.get("full_text").asText());
    }
    int values = 0;
    for (Detector triggered : BuiltInDetectors.all("US", List.of("GB"))) {
      Detector plain = new Detector(triggered.entityType(), triggered.pattern(), triggered.maxLength(),
          triggered.check(), triggered.priority(), null);
      for (String text : texts) {
        List<String> expected = scan(plain, text);
        assertThat(scan(triggered, text)).as("%s on %s", triggered.pattern(), text).isEqualTo(expected);
        values += expected.size();
      }
    }
    assertThat(values).isGreaterThan(250);
  }
}
