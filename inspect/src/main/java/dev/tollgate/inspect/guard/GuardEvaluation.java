package dev.tollgate.inspect.guard;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Scores the detector on the HELD-OUT parts of the prompt-injection corpora (the parts the
 * classifier never saw; see {@link GuardCorpus#isHeldOut}) and prints recall per positive set,
 * false-positive rate per negative set and balanced accuracy, for the shipped detector and, for
 * comparison, for the rules without the classifier. Run by {@code bench/eval-guard.sh}.
 *
 * <p>Usage: {@code GuardEvaluation <corpus-dir> [threshold=0.5]}
 */
public final class GuardEvaluation {
  private GuardEvaluation() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: GuardEvaluation <corpus-dir> [threshold=0.5]");
      System.exit(2);
    }
    double threshold = args.length == 2 ? Double.parseDouble(args[1]) : 0.5;
    List<GuardCorpus.LabelledSet> sets = GuardCorpus.load(Path.of(args[0]));
    System.out.printf(Locale.ROOT, "Held-out parts only (3 in 10 prompts by text hash; never trained on). Threshold %.2f.%n%n", threshold);
    report("Detector as shipped (rules + classifier)", InjectionDetector.standard(), sets, threshold);
    report("Rules alone (no classifier), for comparison", new InjectionDetector(null), sets, threshold);
  }

  private static void report(String title, InjectionDetector detector, List<GuardCorpus.LabelledSet> sets, double threshold) {
    System.out.println("## " + title);
    System.out.printf(Locale.ROOT, "%-22s %6s %6s  %s%n", "set", "held", "fired", "measure");
    int positives = 0;
    int caught = 0;
    int negatives = 0;
    int falseAlarms = 0;
    long nanos = 0;
    int scored = 0;
    for (GuardCorpus.LabelledSet set : sets) {
      int held = 0;
      int fired = 0;
      for (GuardCorpus.Sample sample : set.samples()) {
        if (!GuardCorpus.isHeldOut(sample.text())) {
          continue;
        }
        held++;
        long start = System.nanoTime();
        double score = detector.score(sample.text()).score();
        nanos += System.nanoTime() - start;
        scored++;
        if (score >= threshold) {
          fired++;
        }
      }
      String measure = held == 0 ? "-" : set.positive()
          ? String.format(Locale.ROOT, "recall %.3f", (double) fired / held)
          : String.format(Locale.ROOT, "false-positive rate %.3f", (double) fired / held);
      System.out.printf(Locale.ROOT, "%-22s %6d %6d  %s%n", set.name(), held, fired, measure);
      if (set.positive()) {
        positives += held;
        caught += fired;
      } else {
        negatives += held;
        falseAlarms += fired;
      }
    }
    double recall = (double) caught / Math.max(1, positives);
    double specificity = 1.0 - (double) falseAlarms / Math.max(1, negatives);
    System.out.printf(Locale.ROOT, "all positives: recall %.3f (%d/%d); all negatives: false-positive rate %.3f (%d/%d)%n",
        recall, caught, positives, 1 - specificity, falseAlarms, negatives);
    System.out.printf(Locale.ROOT, "balanced accuracy %.3f   (mean scoring time %.0f µs/prompt, not a benchmark)%n%n",
        (recall + specificity) / 2, nanos / 1000.0 / Math.max(1, scored));
  }
}
