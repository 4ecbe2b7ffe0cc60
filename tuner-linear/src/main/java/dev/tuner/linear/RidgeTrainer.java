package dev.tuner.linear;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelTrainer;
import dev.tuner.api.MonotoneConstraints;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingException;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Linear regression on standardised features, by the solver the hyper-parameters name (see {@link LinearSolver}).
 * Features are standardised on the training rows and the target is centred, so the intercept is not penalised. The
 * default, exact ridge, solves (ZᵀZ + λ·n·I) w = Zᵀ(y − ȳ) by Tribuo's Cholesky factorisation in double precision;
 * Tribuo's elastic net, LARS, LASSO and SGD trainers fit the same standardised features. Whatever a solver leaves
 * open (λ, the L1 ratio, the feature count) is the point of its grid with the least pooled mean squared error over
 * shuffled k-fold cross-validation, on the same folds for every solver. The weights are then folded back to raw
 * feature space. Deterministic for a given seed.
 */
public final class RidgeTrainer implements ModelTrainer {

  /** Below this, cross-validation folds are too small to say anything about λ. */
  static final int MIN_ROWS = 10;
  static final String PROGRESS_TASK = "ridge-cv";

  @Override
  public Map<String, String> defaultHyperParameters() {
    Map<String, String> defaults = new LinkedHashMap<>(RidgeHyperParameters.DEFAULTS.toMap());
    defaults.put(MonotoneConstraints.KEY, "");
    return Map.copyOf(defaults);
  }

  /**
   * Trains, honouring {@code monotone} (feature:direction pairs, {@link MonotoneConstraints}) by construction: a
   * feature fitted against its sign is excluded and the rest refitted, until every constrained weight has its sign
   * or is 0. Each round drops at least one feature, so this ends. Only the resulting exclusions are stored.
   */
  @Override
  public TrainedModel train(TrainingSet data, TrainingOptions options) {
    Map<String, String> given = new LinkedHashMap<>(options.hyperParameters());
    String constraints = given.remove(MonotoneConstraints.KEY);
    Map<String, Integer> monotone = MonotoneConstraints.parse(constraints == null ? "" : constraints);
    for (String name : monotone.keySet()) {
      if (!data.featureNames().contains(name)) {
        throw new InvalidInputException(MonotoneConstraints.KEY, name,
            "names of the training set's features: " + String.join(", ", data.featureNames()));
      }
    }
    List<String> exclude = new ArrayList<>(RidgeHyperParameters.parse(given).exclude());
    while (true) {
      given.put(RidgeHyperParameters.EXCLUDE, String.join(",", exclude));
      TrainedModel trained = trainOnce(data,
          new TrainingOptions(options.seed(), given, options.threads(), options.progress()));
      double[] weights = ((LinearModel) trained.model()).weights();
      List<String> wrongSign = new ArrayList<>();
      monotone.forEach((name, direction) -> {
        if (weights[data.featureNames().indexOf(name)] * direction < 0) {
          wrongSign.add(name);
        }
      });
      if (wrongSign.isEmpty()) {
        return trained;
      }
      exclude.addAll(wrongSign);
    }
  }

  private TrainedModel trainOnce(TrainingSet data, TrainingOptions options) {
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
    float[] features = withoutExcluded(data, hp.exclude());
    double[] targets = data.targets();
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    RidgeProblem problem = new RidgeProblem(features, targets, p, all);

    List<RidgeHyperParameters.Setting> settings = hp.settings(problem.active().length);
    List<LinearPayload.CvPoint> curve = List.of();
    RidgeHyperParameters.Setting chosen = settings.get(0);
    if (hp.crossValidates()) {
      if (hp.folds() > n) {
        throw new InvalidInputException(
            RidgeHyperParameters.FOLDS, Integer.toString(hp.folds()),
            "an integer in [" + RidgeHyperParameters.MIN_FOLDS + ", " + n + "], at most one fold per training row");
      }
      curve = crossValidate(data, features, hp, settings, options);
      LinearPayload.CvPoint best = curve.get(0);
      for (LinearPayload.CvPoint c : curve) {
        if (c.mse() < best.mse()) {
          best = c;
        }
      }
      chosen = best.setting();
    }

    TribuoFit.Fit fit = fit(problem, features, targets, all, data, hp, chosen, options.seed(), "the full training set");
    double[] standardised = fit.weights();
    double[] means = problem.means();
    double[] stds = problem.stds();
    double[] weights = new double[p];
    double intercept = fit.intercept();
    String where = TribuoFit.describe(hp, chosen);
    for (int j = 0; j < p; j++) {
      weights[j] = stds[j] == 0 ? 0 : standardised[j] / stds[j];
      if (!Double.isFinite(weights[j])) {
        throw new TrainingException("linear regression (" + hp.solver().id() + ") at " + where + " gives feature '"
            + data.featureNames().get(j) + "' the weight " + weights[j] + "; the targets are too large to fit");
      }
      intercept -= weights[j] * means[j];
    }
    if (!Double.isFinite(intercept)) {
      throw new TrainingException("linear regression (" + hp.solver().id() + ") at " + where + " gives the intercept "
          + intercept + "; the targets are too large to fit");
    }

    LinearPayload payload = new LinearPayload(data.schema(), data.target(), n, data.featureNames(), means, stds,
        weights, intercept, chosen, hp, curve);
    byte[] bytes = payload.encode();
    List<String> warnings = payload.droppedFeatures().size() == p
        ? List.of("every feature was constant on the training rows; the linear model always predicts " + intercept)
        : List.of();
    Map<String, String> properties = new LinkedHashMap<>(payload.properties());
    properties.putAll(fit.provenance());
    ModelInfo info = new ModelInfo(
        "linear-" + shortHash(bytes), LinearProvider.ID, data.schema(), data.target(), p, properties, warnings);
    return new TrainedModel(new LinearModel(info, payload), bytes, hp.toMap());
  }

  /**
   * Pooled mean squared error over {@code folds} held-out parts of the shuffled rows, for every setting. Each fold's
   * standardisation (and, for the ridge, its normal equations) is built once and used for every setting; progress
   * counts one step per setting and fold.
   */
  private static List<LinearPayload.CvPoint> crossValidate(TrainingSet data, float[] features,
      RidgeHyperParameters hp, List<RidgeHyperParameters.Setting> settings, TrainingOptions options) {
    int n = data.rows();
    int k = hp.folds();
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
    double[] sse = new double[settings.size()];
    long total = (long) k * settings.size();
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
      for (int g = 0; g < settings.size(); g++) {
        TribuoFit.Fit fit = fit(problem, features, targets, kept, data, hp, settings.get(g), options.seed(), where);
        sse[g] += problem.sumOfSquaredErrors(features, targets, held, fit.weights(), fit.intercept());
        options.progress().progress(PROGRESS_TASK, ++done, total);
      }
    }
    List<LinearPayload.CvPoint> curve = new ArrayList<>(settings.size());
    for (int g = 0; g < settings.size(); g++) {
      double mse = sse[g] / n;
      if (!Double.isFinite(mse)) {
        throw new TrainingException("cross-validation error at " + TribuoFit.describe(hp, settings.get(g))
            + " is not finite; the targets are too large to fit");
      }
      curve.add(new LinearPayload.CvPoint(settings.get(g), mse));
    }
    return curve;
  }

  private static TribuoFit.Fit fit(RidgeProblem problem, float[] features, double[] targets, int[] rows,
      TrainingSet data, RidgeHyperParameters hp, RidgeHyperParameters.Setting setting, long seed, String where) {
    if (hp.solver() != LinearSolver.RIDGE) {
      return TribuoFit.fit(problem, features, targets, rows, data.featureNames(), hp, setting, seed);
    }
    try {
      return new TribuoFit.Fit(problem.solve(setting.lambda()), problem.targetMean(), TribuoFit.ridgeProvenance());
    } catch (RidgeProblem.NotPositiveDefiniteException e) {
      throw new TrainingException(
          "the ridge system (ZᵀZ + λ·n·I) is not positive definite at lambda = " + setting.lambda() + " on " + where
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
