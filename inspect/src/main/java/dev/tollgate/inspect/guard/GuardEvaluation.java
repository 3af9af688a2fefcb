package dev.tollgate.inspect.guard;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * Scores the detector on the HELD-OUT parts of the prompt-injection corpora (the parts the
 * classifier never saw; see {@link GuardCorpus#isHeldOut}), for the shipped detector and, for
 * comparison, for the rules without the classifier. Run by {@code bench/eval-guard.sh}.
 *
 * <p>Per set it prints the set's own rate (recall of a positive set, false-positive rate of a
 * negative one) with a 95% Wilson interval, the pooled rate of the other side and the balanced
 * accuracy of the two, so that each set's figure stands on its own. The reference sides are the
 * jailbreak sets (positives) and every negative set; {@link GuardCorpus#VALID_INJECTIONS} is
 * printed as an extra set, paired with all negatives but not pooled into the jailbreak recall.
 * The overall lines give both poolings.
 *
 * <p>Leakage check: the split is by exact text, so near-copies can sit on both sides. Each
 * held-out prompt's maximum similarity to the training part is measured
 * ({@link TrainingSimilarity}), summarised per set, and every figure is printed again for the
 * held-out prompts below a similarity threshold.
 *
 * <p>Usage: {@code GuardEvaluation <corpus-dir> [threshold=0.5] [similarity-threshold=0.5]}
 */
public final class GuardEvaluation {
  /** One held-out prompt with its set and its maximum similarity to the training part. */
  private record Held(GuardCorpus.LabelledSet set, String text, double similarity) {}

  /** Prompts counted and prompts on which the detector fired. */
  private record Tally(int count, int fired) {
    Tally plus(Tally other) {
      return new Tally(count + other.count, fired + other.fired);
    }

    double rate() {
      return (double) fired / Math.max(1, count);
    }

    String fraction() {
      return count == 0 ? "- (0/0)" : String.format(Locale.ROOT, "%.3f (%d/%d)", rate(), fired, count);
    }
  }

  private GuardEvaluation() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: GuardEvaluation <corpus-dir> [threshold=0.5] [similarity-threshold=0.5]");
      System.exit(2);
    }
    double threshold = args.length >= 2 ? Double.parseDouble(args[1]) : 0.5;
    double similar = args.length == 3 ? Double.parseDouble(args[2]) : 0.5;
    List<GuardCorpus.LabelledSet> sets = GuardCorpus.load(Path.of(args[0]));
    System.out.printf(Locale.ROOT, "Held-out parts only (3 in 10 prompts by text hash; never trained on). Threshold %.2f.%n", threshold);
    System.out.printf(Locale.ROOT, "Reference sides: positives = %s (jailbreak sets); negatives = %s.%n",
        names(sets, true), names(sets, false));
    System.out.printf(Locale.ROOT, "Extra set (+): %s, printed against all negatives but not pooled into the jailbreak recall.%n%n",
        GuardCorpus.VALID_INJECTIONS);
    System.out.println("own = the set's recall (positive) or false-positive rate (negative), with a 95% Wilson interval;");
    System.out.println("other side = the pooled false-positive rate of all negatives (for a positive set) or the pooled");
    System.out.println("recall of the jailbreak sets (for a negative set); balanced accuracy = mean of recall and 1 - FPR.");
    System.out.println();
    long start = System.nanoTime();
    List<Held> held = heldOut(sets);
    double leakSeconds = (System.nanoTime() - start) / 1e9;
    leakage(sets, held, similar, leakSeconds);
    Map<String, InjectionDetector> detectors = new LinkedHashMap<>();
    detectors.put("Detector as shipped (rules + classifier)", InjectionDetector.standard());
    detectors.put("Rules alone (no classifier), for comparison", new InjectionDetector(null));
    detectors.forEach((title, detector) -> {
      boolean[] fired = new boolean[held.size()];
      long scoring = System.nanoTime();
      for (int i = 0; i < held.size(); i++) {
        fired[i] = detector.score(held.get(i).text()).score() >= threshold;
      }
      double micros = (System.nanoTime() - scoring) / 1000.0 / Math.max(1, held.size());
      report(title + ": all held-out prompts", sets, held, fired, i -> true);
      System.out.printf(Locale.ROOT, "(mean scoring time %.0f µs/prompt, not a benchmark)%n%n", micros);
      report(String.format(Locale.ROOT, "%s: held-out prompts with max similarity < %s", title, fmt(similar)),
          sets, held, fired, i -> held.get(i).similarity() < similar);
      IntPredicate nearCopy = i -> held.get(i).similarity() >= similar;
      overall(String.format(Locale.ROOT, "for contrast, near-copies (max similarity >= %s), jailbreak sets", fmt(similar)),
          pooled(sets, held, fired, nearCopy, set -> set.positive() && !isExtra(set)),
          pooled(sets, held, fired, nearCopy, set -> !set.positive()));
      System.out.println();
    });
  }

  private static List<Held> heldOut(List<GuardCorpus.LabelledSet> sets) {
    List<String> training = new ArrayList<>();
    for (GuardCorpus.LabelledSet set : sets) {
      for (GuardCorpus.Sample sample : set.samples()) {
        if (!GuardCorpus.isHeldOut(sample.text())) {
          training.add(sample.text());
        }
      }
    }
    TrainingSimilarity similarity = TrainingSimilarity.of(training);
    List<Held> held = new ArrayList<>();
    for (GuardCorpus.LabelledSet set : sets) {
      for (GuardCorpus.Sample sample : set.samples()) {
        if (GuardCorpus.isHeldOut(sample.text())) {
          held.add(new Held(set, sample.text(), similarity.max(sample.text())));
        }
      }
    }
    System.out.printf(Locale.ROOT, "Training part: %d prompts; held-out part: %d prompts.%n%n", training.size(), held.size());
    return held;
  }

  private static void leakage(List<GuardCorpus.LabelledSet> sets, List<Held> held, double similar, double seconds) {
    System.out.println("## Leakage check: similarity of each held-out prompt to the training part");
    System.out.printf(Locale.ROOT, "Max over all training prompts (any set) of the Jaccard index of word %d-gram shingles%n",
        TrainingSimilarity.SHINGLE_WORDS);
    System.out.printf(Locale.ROOT, "(lower case, split on non-letters/digits; exact, %.1f s).%n", seconds);
    System.out.printf(Locale.ROOT, "%-22s %5s %7s %7s %7s %7s %7s%n",
        "set", "held", "median", "p90", "<" + fmt(similar), ">=" + fmt(similar), ">=0.90");
    for (GuardCorpus.LabelledSet set : sets) {
      leakageRow(display(set), held.stream().filter(h -> h.set() == set).toList(), similar);
    }
    leakageRow("all", held, similar);
    System.out.println();
  }

  private static void leakageRow(String name, List<Held> rows, double similar) {
    double[] sims = rows.stream().mapToDouble(Held::similarity).sorted().toArray();
    System.out.printf(Locale.ROOT, "%-22s %5d %7s %7s %7d %7d %7d%n", name, sims.length,
        sims.length == 0 ? "-" : fmt(quantile(sims, 0.5)), sims.length == 0 ? "-" : fmt(quantile(sims, 0.9)),
        Arrays.stream(sims).filter(s -> s < similar).count(), Arrays.stream(sims).filter(s -> s >= similar).count(),
        Arrays.stream(sims).filter(s -> s >= 0.9).count());
  }

  private static void report(String title, List<GuardCorpus.LabelledSet> sets, List<Held> held, boolean[] fired,
      IntPredicate include) {
    Tally jailbreaks = new Tally(0, 0);
    Tally allPositives = new Tally(0, 0);
    Tally negatives = new Tally(0, 0);
    List<Tally> perSet = new ArrayList<>();
    for (GuardCorpus.LabelledSet set : sets) {
      Tally tally = tally(held, fired, include, set);
      perSet.add(tally);
      if (!set.positive()) {
        negatives = negatives.plus(tally);
      } else {
        allPositives = allPositives.plus(tally);
        if (!isExtra(set)) {
          jailbreaks = jailbreaks.plus(tally);
        }
      }
    }
    System.out.println("## " + title);
    System.out.printf(Locale.ROOT, "%-22s %5s %5s  %-30s %-14s %s%n", "set", "held", "fired", "own", "other side", "balanced acc.");
    for (int s = 0; s < sets.size(); s++) {
      GuardCorpus.LabelledSet set = sets.get(s);
      Tally own = perSet.get(s);
      Tally other = set.positive() ? negatives : jailbreaks;
      String ownText = own.count() == 0 ? "-" : String.format(Locale.ROOT, "%-6s %.3f [%.3f, %.3f]",
          set.positive() ? "recall" : "FPR", own.rate(), wilson(own, -1), wilson(own, 1));
      String otherText = other.count() == 0 ? "-" : String.format(Locale.ROOT, "%-6s %.3f",
          set.positive() ? "FPR" : "recall", other.rate());
      double recall = set.positive() ? own.rate() : other.rate();
      double fpr = set.positive() ? other.rate() : own.rate();
      String balanced = own.count() == 0 || other.count() == 0 ? "-" : String.format(Locale.ROOT, "%.3f", (recall + 1 - fpr) / 2);
      System.out.printf(Locale.ROOT, "%-22s %5d %5d  %-30s %-14s %s%n", display(set), own.count(), own.fired(),
          ownText, otherText, balanced);
    }
    overall("jailbreak sets vs all negatives", jailbreaks, negatives);
    overall("all sets (with " + GuardCorpus.VALID_INJECTIONS + ")", allPositives, negatives);
  }

  private static void overall(String name, Tally positives, Tally negatives) {
    System.out.printf(Locale.ROOT, "%s: recall %s; false-positive rate %s; balanced accuracy %s%n", name,
        positives.fraction(), negatives.fraction(),
        positives.count() == 0 || negatives.count() == 0 ? "-"
            : String.format(Locale.ROOT, "%.3f", (positives.rate() + 1 - negatives.rate()) / 2));
  }

  private static Tally pooled(List<GuardCorpus.LabelledSet> sets, List<Held> held, boolean[] fired,
      IntPredicate include, Predicate<GuardCorpus.LabelledSet> which) {
    return sets.stream().filter(which).map(set -> tally(held, fired, include, set)).reduce(new Tally(0, 0), Tally::plus);
  }

  private static Tally tally(List<Held> held, boolean[] fired, IntPredicate include, GuardCorpus.LabelledSet set) {
    int count = 0;
    int hits = 0;
    for (int i = 0; i < held.size(); i++) {
      if (held.get(i).set() == set && include.test(i)) {
        count++;
        hits += fired[i] ? 1 : 0;
      }
    }
    return new Tally(count, hits);
  }

  /** Lower (side -1) or upper (side +1) end of the 95% Wilson score interval of a proportion. */
  private static double wilson(Tally tally, int side) {
    double n = tally.count();
    double p = tally.rate();
    double z = 1.96;
    double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
    double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
    return Math.max(0, Math.min(1, centre + side * half));
  }

  private static boolean isExtra(GuardCorpus.LabelledSet set) {
    return set.name().equals(GuardCorpus.VALID_INJECTIONS);
  }

  private static String display(GuardCorpus.LabelledSet set) {
    return isExtra(set) ? set.name() + " +" : set.name();
  }

  private static String names(List<GuardCorpus.LabelledSet> sets, boolean positive) {
    return String.join(", ", sets.stream().filter(s -> s.positive() == positive && !isExtra(s))
        .map(GuardCorpus.LabelledSet::name).toList());
  }

  private static double quantile(double[] sorted, double q) {
    return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }
}
