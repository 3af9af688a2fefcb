package dev.tollgate.inspect.pii;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.config.PiiConfig;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores the detectors on a presidio-research style corpus (a JSON array of
 * {@code {full_text, spans: [{entity_type, start_position, end_position}]}}), per entity type.
 *
 * <p>Overlap rule: a found value counts as correct when it overlaps (one character or more) a
 * labelled span of the same type; precision = correct found / all found of that type; recall =
 * labelled spans of that type overlapped by a found value of that type / all labelled spans of
 * that type. Exact = labelled spans found with exactly the same boundaries. Labelled types the
 * gateway has no detector for are listed with their counts, not scored.
 *
 * <p>Usage: {@code PiiEvaluation <corpus.json> [default-region] [further regions, comma-separated]}
 */
public final class PiiEvaluation {
  /** Corpus label -> Tollgate entity type. */
  static final Map<String, String> LABELS = Map.of(
      "EMAIL_ADDRESS", "EMAIL", "PHONE_NUMBER", "PHONE", "CREDIT_CARD", "CREDIT_CARD",
      "IBAN_CODE", "IBAN", "US_SSN", "US_SSN", "IP_ADDRESS", "IP_ADDRESS");

  private PiiEvaluation() {}

  private static final class Score {
    int labelled;
    int recalled;
    int exact;
    int found;
    int correct;
  }

  private record Span(String type, int start, int end) {
    boolean overlaps(int s, int e) {
      return start < e && s < end;
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: PiiEvaluation <corpus.json> [default-region] [regions,comma,separated]");
      System.exit(2);
    }
    String region = args.length > 1 ? args[1] : PiiConfig.DEFAULT_REGION;
    List<String> regions = args.length > 2 && !args[2].isBlank()
        ? Arrays.asList(args[2].split(",")) : List.of();
    // Debugging the detectors on the (synthetic) corpus: PII_EVAL_SHOW=PHONE prints that type's
    // misses and false finds with their text.
    String show = System.getenv("PII_EVAL_SHOW");
    PiiConfig config = new PiiConfig(region, regions, null, null, null);
    PiiEngine engine = PiiEngine.compile(config);
    JsonNode corpus = new ObjectMapper().readTree(new File(args[0]));

    Map<String, Score> scores = new TreeMap<>();
    LABELS.values().forEach(t -> scores.put(t, new Score()));
    scores.put("SECRET", new Score());
    Map<String, Integer> uncovered = new TreeMap<>();
    int texts = 0;
    long chars = 0;
    long nanos = 0;
    for (JsonNode sample : corpus) {
      String text = sample.get("full_text").asText();
      List<Span> gold = new ArrayList<>();
      for (JsonNode span : sample.path("spans")) {
        String label = span.get("entity_type").asText();
        String type = LABELS.get(label);
        if (type == null) {
          uncovered.merge(label, 1, Integer::sum);
          continue;
        }
        gold.add(new Span(type, span.get("start_position").asInt(), span.get("end_position").asInt()));
      }
      long t0 = System.nanoTime();
      List<PiiMatch> found = engine.scan(text);
      nanos += System.nanoTime() - t0;
      texts++;
      chars += text.length();
      for (Span g : gold) {
        Score s = scores.get(g.type);
        s.labelled++;
        boolean hit = false;
        boolean exact = false;
        for (PiiMatch m : found) {
          if (m.entityType().equals(g.type) && g.overlaps(m.start(), m.end())) {
            hit = true;
            exact |= m.start() == g.start && m.end() == g.end;
          }
        }
        s.recalled += hit ? 1 : 0;
        if (!hit && g.type.equals(show)) {
          System.out.println("missed: " + text.substring(g.start, g.end).replace('\n', ' '));
        }
        s.exact += exact ? 1 : 0;
      }
      for (PiiMatch m : found) {
        Score s = scores.get(m.entityType());
        s.found++;
        boolean ok = gold.stream().anyMatch(g -> g.type.equals(m.entityType()) && g.overlaps(m.start(), m.end()));
        s.correct += ok ? 1 : 0;
        if (!ok && m.entityType().equals(show)) {
          System.out.println("false:  " + text.substring(m.start(), m.end()).replace('\n', ' ')
              + "   in: " + text.substring(Math.max(0, m.start() - 30), Math.min(text.length(), m.end() + 30))
                  .replace('\n', ' '));
        }
      }
    }

    System.out.printf(Locale.ROOT, "texts: %d (%d characters); phone regions: %s%s%n", texts, chars, region,
        regions.isEmpty() ? "" : " then " + String.join(",", regions));
    System.out.printf(Locale.ROOT, "%-12s %8s %6s %9s %7s %9s %7s%n",
        "entity", "labelled", "found", "precision", "recall", "exact", "F1");
    for (Map.Entry<String, Score> e : scores.entrySet()) {
      Score s = e.getValue();
      double p = s.found == 0 ? Double.NaN : (double) s.correct / s.found;
      double r = s.labelled == 0 ? Double.NaN : (double) s.recalled / s.labelled;
      double x = s.labelled == 0 ? Double.NaN : (double) s.exact / s.labelled;
      double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
      System.out.printf(Locale.ROOT, "%-12s %8d %6d %9s %7s %9s %7s%n", e.getKey(), s.labelled, s.found,
          fmt(p), fmt(r), fmt(x), fmt(f1));
    }
    System.out.println("labelled but not detected by design (no NER): " + uncovered);
    System.out.printf(Locale.ROOT, "scan time: %.1f ms for all texts (single thread, includes JIT warm-up)%n",
        nanos / 1e6);
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }
}
