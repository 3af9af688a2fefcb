package dev.tollgate.inspect.guard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Trains the prompt guard's classifier on the training part of the corpora (never the held-out
 * part) and writes the model resource. Deterministic: fixed split, fixed seed, so the same data
 * gives the same model. Run by {@code inspect/train-guard.sh}.
 *
 * <p>Usage: {@code GuardTrainer <corpus-dir> <model-output.tribuo.gz>}
 */
public final class GuardTrainer {
  static final int EPOCHS = 20;
  static final long SEED = 20261203L;

  private GuardTrainer() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: GuardTrainer <corpus-dir> <model-output.tribuo.gz>");
      System.exit(2);
    }
    List<GuardCorpus.LabelledSet> sets = GuardCorpus.load(Path.of(args[0]));
    LinearSGDModel model = train(sets);
    Path out = Path.of(args[1]);
    Files.createDirectories(out.toAbsolutePath().getParent());
    try (OutputStream file = Files.newOutputStream(out); GZIPOutputStream gzip = new GZIPOutputStream(file)) {
      model.serializeToStream(gzip);
    }
    System.out.printf("model: %d features, written to %s (%d bytes)%n",
        model.getFeatureIDMap().size(), out, Files.size(out));
  }

  static LinearSGDModel train(List<GuardCorpus.LabelledSet> sets) {
    LabelFactory labels = new LabelFactory();
    List<Example<Label>> examples = new ArrayList<>();
    int positives = 0;
    int negatives = 0;
    for (GuardCorpus.LabelledSet set : sets) {
      for (GuardCorpus.Sample sample : set.samples()) {
        if (GuardCorpus.isHeldOut(sample.text())) {
          continue;
        }
        examples.add(example(sample));
        if (sample.injection()) {
          positives++;
        } else {
          negatives++;
        }
      }
    }
    // Both classes weigh the same in total, so the bias does not just learn the class ratio.
    float positiveWeight = (float) negatives / Math.max(1, positives);
    for (Example<Label> example : examples) {
      if (example.getOutput().getLabel().equals(GuardClassifier.INJECTION)) {
        example.setWeight(positiveWeight);
      }
    }
    System.out.printf("training on %d prompts (%d injections, %d benign); held-out parts left out%n",
        examples.size(), positives, negatives);
    ListDataSource<Label> source = new ListDataSource<>(examples, labels,
        new SimpleDataSourceProvenance("prompt-injection corpora, training part", labels));
    MutableDataset<Label> dataset = new MutableDataset<>(source);
    LinearSGDTrainer trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.5, 0.1), EPOCHS, SEED);
    return (LinearSGDModel) trainer.train(dataset);
  }

  static Example<Label> example(GuardCorpus.Sample sample) {
    Label label = new Label(sample.injection() ? GuardClassifier.INJECTION : GuardClassifier.BENIGN);
    GuardFeatures.Vector x = GuardFeatures.of(NormalizedText.of(sample.text()).text());
    String[] names = new String[x.index().length];
    for (int i = 0; i < names.length; i++) {
      names[i] = GuardFeatures.featureName(x.index()[i]);
    }
    return new ArrayExample<>(label, names, x.value());
  }
}
