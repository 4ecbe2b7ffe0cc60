package dev.tuner.linear;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelTrainer;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingException;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Ridge regression solved exactly. Features are standardised on the training rows, the target is centred (so the
 * intercept is not penalised) and (ZᵀZ + λ·n·I) w = Zᵀ(y − ȳ) is solved by Cholesky in double precision. With
 * {@code lambda=auto}, λ is the point of a log grid with the least pooled mean squared error over shuffled k-fold
 * cross-validation. The weights are then folded back to raw feature space. Deterministic for a given seed.
 */
public final class RidgeTrainer implements ModelTrainer {

  /** Below this, cross-validation folds are too small to say anything about λ. */
  static final int MIN_ROWS = 10;
  static final String PROGRESS_TASK = "ridge-cv";

  @Override
  public Map<String, String> defaultHyperParameters() {
    Map<String, String> defaults = new java.util.LinkedHashMap<>(RidgeHyperParameters.DEFAULTS.toMap());
    defaults.put(RidgeHyperParameters.MONOTONE, "");
    return Map.copyOf(defaults);
  }

  @Override
  public TrainedModel train(TrainingSet data, TrainingOptions options) {
    RidgeHyperParameters hp = RidgeHyperParameters.parse(options.hyperParameters());
    int n = data.rows();
    int p = data.width();
    if (n < MIN_ROWS) {
      throw new TrainingException(
          "ridge regression needs at least " + MIN_ROWS + " training rows; the training set has " + n);
    }
    InvalidInputException.requireInRange("feature count", p, 1, LinearPayload.MAX_FEATURES, "features");
    for (String name : data.featureNames()) {
      if (name.length() > LinearPayload.MAX_NAME_LENGTH) {
        throw new InvalidInputException(
            "feature name", name.substring(0, 40) + "…", "at most " + LinearPayload.MAX_NAME_LENGTH + " characters");
      }
    }
    for (String name : hp.monotone().keySet()) {
      if (!data.featureNames().contains(name)) {
        throw new InvalidInputException(RidgeHyperParameters.MONOTONE, name,
            "names of the training set's features: " + String.join(", ", data.featureNames()));
      }
    }
    List<String> exclude = new ArrayList<>(hp.exclude());
    Fit fit = fit(data, hp, exclude, options);
    List<String> wrongSign = wrongSign(data, hp, fit.weights());
    // a sign constraint is met by dropping the features fitted against it and refitting the rest; each round drops
    // at least one feature, so this ends
    while (!wrongSign.isEmpty()) {
      exclude.addAll(wrongSign);
      fit = fit(data, hp, exclude, options);
      wrongSign = wrongSign(data, hp, fit.weights());
    }
    double[] means = fit.means();
    double[] stds = fit.stds();
    double[] weights = fit.weights();
    double intercept = fit.intercept();
    double lambda = fit.lambda();
    List<LinearPayload.CvPoint> curve = fit.curve();
    hp = hp.stored(exclude);

    LinearPayload payload = new LinearPayload(
        data.schema(), data.target(), n, data.featureNames(), means, stds, weights, intercept, lambda, hp, curve);
    byte[] bytes = payload.encode();
    List<String> warnings = payload.droppedFeatures().size() == p
        ? List.of("every feature was constant on the training rows; the linear model always predicts " + intercept)
        : List.of();
    ModelInfo info = new ModelInfo(
        "linear-" + shortHash(bytes), LinearProvider.ID, data.schema(), data.target(), p, payload.properties(), warnings);
    return new TrainedModel(new LinearModel(info, payload), bytes, hp.toMap());
  }

  /** A solved model: raw-space weights and intercept, the standardisation, λ and its cross-validation curve. */
  private record Fit(double[] means, double[] stds, double[] weights, double intercept, double lambda,
      List<LinearPayload.CvPoint> curve) {}

  private static Fit fit(TrainingSet data, RidgeHyperParameters hp, List<String> exclude, TrainingOptions options) {
    int n = data.rows();
    int p = data.width();
    float[] features = withoutExcluded(data, exclude);
    double[] targets = data.targets();

    List<LinearPayload.CvPoint> curve = List.of();
    double lambda;
    if (hp.lambda().isPresent()) {
      lambda = hp.lambda().getAsDouble();
    } else {
      if (hp.folds() > n) {
        throw new InvalidInputException(
            RidgeHyperParameters.FOLDS, Integer.toString(hp.folds()),
            "an integer in [" + RidgeHyperParameters.MIN_FOLDS + ", " + n + "], at most one fold per training row");
      }
      curve = crossValidate(data, features, hp, options);
      LinearPayload.CvPoint best = curve.get(0);
      for (LinearPayload.CvPoint c : curve) {
        if (c.mse() < best.mse()) {
          best = c;
        }
      }
      lambda = best.lambda();
    }

    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    RidgeProblem problem = new RidgeProblem(features, targets, p, all);
    double[] standardised = solve(problem, lambda, data, "the full training set");
    double[] means = problem.means();
    double[] stds = problem.stds();
    double[] weights = new double[p];
    double intercept = problem.targetMean();
    for (int j = 0; j < p; j++) {
      weights[j] = stds[j] == 0 ? 0 : standardised[j] / stds[j];
      if (!Double.isFinite(weights[j])) {
        throw new TrainingException("ridge regression at lambda = " + lambda + " gives feature '"
            + data.featureNames().get(j) + "' the weight " + weights[j] + "; the targets are too large to fit");
      }
      intercept -= weights[j] * means[j];
    }
    if (!Double.isFinite(intercept)) {
      throw new TrainingException("ridge regression at lambda = " + lambda + " gives the intercept " + intercept
          + "; the targets are too large to fit");
    }

    return new Fit(means, stds, weights, intercept, lambda, curve);
  }

  /** The constrained features whose weight has the wrong sign, in constraint order. */
  private static List<String> wrongSign(TrainingSet data, RidgeHyperParameters hp, double[] weights) {
    List<String> out = new ArrayList<>();
    hp.monotone().forEach((name, direction) -> {
      if (weights[data.featureNames().indexOf(name)] * direction < 0) {
        out.add(name);
      }
    });
    return out;
  }

  /**
   * Pooled mean squared error over {@code folds} held-out parts of the shuffled rows, for every λ of the grid. Each
   * fold's normal equations are built once and solved for every λ; progress counts one step per λ and fold.
   */
  private static List<LinearPayload.CvPoint> crossValidate(
      TrainingSet data, float[] features, RidgeHyperParameters hp, TrainingOptions options) {
    int n = data.rows();
    int k = hp.folds();
    double[] grid = hp.grid();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(options.seed());
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    double[] targets = data.targets();
    double[] sse = new double[grid.length];
    long total = (long) k * grid.length;
    long done = 0;
    for (int fold = 0; fold < k; fold++) {
      int heldCount = (n - fold + k - 1) / k;
      int[] held = new int[heldCount];
      int[] kept = new int[n - heldCount];
      for (int i = 0, h = 0, t = 0; i < n; i++) {
        if (i % k == fold) {
          held[h++] = order[i];
        } else {
          kept[t++] = order[i];
        }
      }
      RidgeProblem problem = new RidgeProblem(features, targets, data.width(), kept);
      String where = "cross-validation fold " + (fold + 1) + " of " + k;
      for (int g = 0; g < grid.length; g++) {
        double[] w = solve(problem, grid[g], data, where);
        sse[g] += problem.sumOfSquaredErrors(features, targets, held, w);
        options.progress().progress(PROGRESS_TASK, ++done, total);
      }
    }
    List<LinearPayload.CvPoint> curve = new ArrayList<>(grid.length);
    for (int g = 0; g < grid.length; g++) {
      double mse = sse[g] / n;
      if (!Double.isFinite(mse)) {
        throw new TrainingException(
            "cross-validation error at lambda = " + grid[g] + " is not finite; the targets are too large to fit");
      }
      curve.add(new LinearPayload.CvPoint(grid[g], mse));
    }
    return curve;
  }

  private static double[] solve(RidgeProblem problem, double lambda, TrainingSet data, String where) {
    try {
      return problem.solve(lambda);
    } catch (RidgeProblem.NotPositiveDefiniteException e) {
      throw new TrainingException(
          "the ridge system (ZᵀZ + λ·n·I) is not positive definite at lambda = " + lambda + " on " + where
              + ": feature '" + data.featureNames().get(e.feature())
              + "' is (numerically) a linear combination of earlier features; use a larger lambda or lambda=auto");
    }
  }

  private static String shortHash(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  /**
   * The features with every excluded column held at 0: a column that does not vary gets no weight, so the model
   * cannot use it, and its payload and portable form keep the schema's full width.
   */
  private static float[] withoutExcluded(TrainingSet data, List<String> exclude) {
    // a copy of the set's features, ours to change
    float[] copy = data.features();
    int w = data.width();
    for (String name : exclude) {
      int j = data.featureNames().indexOf(name);
      if (j < 0) {
        throw new InvalidInputException(RidgeHyperParameters.EXCLUDE, name,
            "names of the training set's features, comma-separated: " + String.join(", ", data.featureNames()));
      }
      for (int r = 0; r < data.rows(); r++) {
        copy[r * w + j] = 0;
      }
    }
    return copy;
  }
}
