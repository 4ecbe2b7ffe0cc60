package dev.tuner.linear;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.tuner.api.TrainingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.Tribuo;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.linear.LinearSGDTrainer;
import org.tribuo.regression.sgd.objectives.SquaredLoss;
import org.tribuo.regression.slm.ElasticNetCDTrainer;
import org.tribuo.regression.slm.LARSLassoTrainer;
import org.tribuo.regression.slm.LARSTrainer;

/**
 * Fits one of Tribuo's linear regression trainers on the standardised features of a {@link RidgeProblem} and reads
 * the result back as tuner's weights. Tribuo sees only the features that vary on the rows, under their own names,
 * already standardised, so every solver's penalty treats features alike, as the ridge's does.
 *
 * <p>The weights are read from the Tribuo model's own predictions (a linear function is fixed by its value at one
 * point and its change along each axis), so they are what Tribuo computes whatever its internal scaling. Probing
 * at 1 and 2 rather than 0 and 1 keeps every probe feature non-zero, as Tribuo's sparse vectors store it.
 */
final class TribuoFit {
  /** Tribuo's ElasticNetCDTrainer defaults: relative duality-gap tolerance and iteration cap. */
  private static final double CD_TOLERANCE = 1e-4;
  private static final int CD_MAX_ITERATIONS = 500;
  /** Tribuo's SGD trainers log every this many examples; beyond any epoch here, so they stay quiet. */
  private static final int SGD_NO_LOGGING = Integer.MAX_VALUE;
  private static final double ADAGRAD_EPSILON = 1e-6;
  private static final String TARGET = "target";
  /**
   * Tribuo's trainers log at INFO on every fit (elastic net its duality gap, LARS each feature it selects): hundreds
   * of lines per cross-validation on the console of `tuner train`. Their loggers all sit under {@code org.tribuo},
   * which is held here because java.util.logging keeps loggers only weakly, so a level set on a logger nobody holds
   * is lost; warnings still get through.
   */
  private static final Logger TRIBUO_LOG = quiet("org.tribuo");

  private TribuoFit() {}

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.WARNING);
    return logger;
  }

  /** Standardised weights (one per feature, 0 where constant), the standardised-space intercept and provenance. */
  record Fit(double[] weights, double intercept, Map<String, String> provenance) {}

  static Fit fit(RidgeProblem problem, float[] features, double[] targets, int[] rows, List<String> featureNames,
      RidgeHyperParameters hp, RidgeHyperParameters.Setting setting, long seed) {
    int[] active = problem.active();
    double[] weights = new double[problem.width()];
    if (active.length == 0) {
      return new Fit(weights, problem.targetMean(), provenance(null));
    }
    String[] names = new String[active.length];
    for (int k = 0; k < active.length; k++) {
      names[k] = featureNames.get(active[k]);
    }
    RegressionFactory factory = new RegressionFactory();
    MutableDataset<Regressor> dataset =
        new MutableDataset<>(new SimpleDataSourceProvenance("tuner training rows", factory), factory);
    for (int r : rows) {
      dataset.add(new ArrayExample<>(new Regressor(TARGET, targets[r]), names, problem.standardise(features, r)));
    }
    Model<Regressor> model;
    try {
      model = trainer(hp, setting, seed).train(dataset);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new TrainingException("Tribuo's " + hp.solver().id() + " solver failed at " + describe(hp, setting)
          + ": " + e.getMessage(), e);
    }
    double[] ones = new double[active.length];
    java.util.Arrays.fill(ones, 1);
    double atOnes = predict(model, names, ones);
    double sum = 0;
    boolean anyWeight = false;
    for (int k = 0; k < active.length; k++) {
      ones[k] = 2;
      double w = predict(model, names, ones) - atOnes;
      ones[k] = 1;
      weights[active[k]] = w;
      sum += w;
      anyWeight |= w != 0;
    }
    // With no weight left, Tribuo's SparseLinearModel answers ȳ + σ_y (its fallback for an empty weight vector),
    // which is no fit of the data; the least-squares constant is the mean.
    double intercept = anyWeight ? atOnes - sum : problem.targetMean();
    if (!Double.isFinite(intercept)) {
      throw new TrainingException("Tribuo's " + hp.solver().id() + " solver at " + describe(hp, setting)
          + " gives the intercept " + intercept + "; the targets are too large to fit");
    }
    return new Fit(weights, intercept, provenance(model));
  }

  /** Provenance of tuner's own ridge, which runs on Tribuo's linear algebra only. */
  static Map<String, String> ridgeProvenance() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("tribuo.version", Tribuo.VERSION);
    out.put("tribuo.linear_algebra", "org.tribuo.math.la.DenseMatrix#choleskyFactorization");
    return out;
  }

  static String describe(RidgeHyperParameters hp, RidgeHyperParameters.Setting s) {
    return switch (hp.solver()) {
      case RIDGE -> "lambda = " + s.lambda();
      case ELASTIC_NET -> "lambda = " + s.lambda() + ", l1_ratio = " + s.l1Ratio();
      case LARS, LASSO -> "max_features = " + s.maxFeatures();
      case SGD -> "epochs = " + hp.epochs() + ", learning_rate = " + hp.learningRate();
    };
  }

  private static Trainer<Regressor> trainer(RidgeHyperParameters hp, RidgeHyperParameters.Setting s, long seed) {
    return switch (hp.solver()) {
      case ELASTIC_NET -> new ElasticNetCDTrainer(s.lambda(), s.l1Ratio(), CD_TOLERANCE, CD_MAX_ITERATIONS, false,
          seed);
      case LARS -> new LARSTrainer(s.maxFeatures());
      case LASSO -> new LARSLassoTrainer(s.maxFeatures());
      case SGD -> new LinearSGDTrainer(new SquaredLoss(), new AdaGrad(hp.learningRate(), ADAGRAD_EPSILON),
          hp.epochs(), SGD_NO_LOGGING, 1, seed);
      case RIDGE -> throw new IllegalArgumentException("the ridge is solved by RidgeProblem, not a Tribuo trainer");
    };
  }

  private static double predict(Model<Regressor> model, String[] names, double[] values) {
    return model.predict(new ArrayExample<>(RegressionFactory.UNKNOWN_REGRESSOR, names, values))
        .getOutput().getValues()[0];
  }

  /**
   * Tribuo's provenance of the fitted model as a flat map under {@code tribuo.}: the version, the model class and
   * every configured field of the trainer (nested objects such as the SGD optimiser by dotted key).
   */
  private static Map<String, String> provenance(Model<Regressor> model) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("tribuo.version", Tribuo.VERSION);
    if (model != null) {
      out.put("tribuo.model.class", model.getProvenance().getClassName());
      flatten("tribuo.trainer.", model.getProvenance().getTrainerProvenance(), out);
    }
    return out;
  }

  private static void flatten(String prefix, ObjectProvenance provenance, Map<String, String> out) {
    out.put(prefix + "class", provenance.getClassName());
    for (Pair<String, Provenance> entry : provenance) {
      String key = prefix + entry.getA();
      Provenance value = entry.getB();
      if (value instanceof ObjectProvenance nested) {
        flatten(key + ".", nested, out);
      } else if (value instanceof PrimitiveProvenance<?> primitive) {
        out.put(key, String.valueOf(primitive.getValue()));
      } else {
        out.put(key, value.toString());
      }
    }
  }
}
