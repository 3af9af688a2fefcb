package dev.tollgate.inspect.guard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.VariableIDInfo;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.math.la.DenseMatrix;

/**
 * The statistical half of the detector: a Tribuo logistic-regression model over
 * {@link GuardFeatures}, trained by {@link GuardTrainer} and shipped as a resource. At load time the
 * model's two weight rows are folded into one array indexed by hash bucket, so scoring a prompt is
 * one sparse dot product with no allocation per feature; {@code GuardClassifierTest} checks the
 * result equals Tribuo's own prediction.
 */
final class GuardClassifier {
  static final String RESOURCE = "guard-model.tribuo.gz";
  static final String INJECTION = "injection";
  static final String BENIGN = "benign";

  private final double[] weights;
  private final double bias;

  private GuardClassifier(double[] weights, double bias) {
    this.weights = weights;
    this.bias = bias;
  }

  /** The model committed under src/main/resources, loaded once. */
  static GuardClassifier bundled() {
    try (InputStream in = GuardClassifier.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("prompt guard model " + RESOURCE + " missing from the classpath;"
            + " run inspect/train-guard.sh");
      }
      return of(Model.deserializeFromStream(new GZIPInputStream(in)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read prompt guard model " + RESOURCE, e);
    }
  }

  /** Folds a trained two-class model into bucket weights: p(injection) = σ((w₁ − w₀)·x + b₁ − b₀). */
  static GuardClassifier of(Model<?> model) {
    if (!(model instanceof LinearSGDModel linear)) {
      throw new IllegalArgumentException("prompt guard model must be a Tribuo LinearSGDModel");
    }
    int injection = linear.getOutputIDInfo().getID(new Label(INJECTION));
    int benign = linear.getOutputIDInfo().getID(new Label(BENIGN));
    if (injection < 0 || benign < 0) {
      throw new IllegalArgumentException("prompt guard model must have labels injection and benign");
    }
    DenseMatrix matrix = linear.getWeightsCopy();
    ImmutableFeatureMap features = linear.getFeatureIDMap();
    double[] weights = new double[GuardFeatures.BUCKETS];
    for (VariableInfo info : features) {
      int id = ((VariableIDInfo) info).getID();
      int bucket = Integer.parseInt(info.getName().substring(1));
      weights[bucket] = matrix.get(injection, id) - matrix.get(benign, id);
    }
    int biasColumn = features.size();
    double bias = matrix.get(injection, biasColumn) - matrix.get(benign, biasColumn);
    return new GuardClassifier(weights, bias);
  }

  /** Probability that the normalised text is an injection or jailbreak, 0..1. */
  double probability(String normalized) {
    if (normalized.isEmpty()) {
      return 0.0;
    }
    GuardFeatures.Vector x = GuardFeatures.of(normalized);
    if (x.index().length == 0) {
      return 0.0; // nothing to go on (e.g. only a link): no evidence, not the bias's prior
    }
    double z = bias;
    int[] index = x.index();
    double[] value = x.value();
    for (int i = 0; i < index.length; i++) {
      z += weights[index[i]] * value[i];
    }
    return 1.0 / (1.0 + Math.exp(-z));
  }
}
