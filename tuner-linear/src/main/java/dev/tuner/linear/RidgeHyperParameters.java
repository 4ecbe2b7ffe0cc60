package dev.tuner.linear;

import dev.tuner.api.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * The linear trainer's hyper-parameters, parsed and range-checked. {@code solver} picks the fit (see
 * {@link LinearSolver}). {@code lambda} is empty for {@code auto}, in which case the strength is chosen by
 * {@code folds}-fold cross-validation over a log grid of {@code lambdaSteps} values from {@code lambdaMin} to
 * {@code lambdaMax}; {@code l1Ratio} (elastic net) and {@code maxFeatures} (LARS, LASSO) are chosen by the same
 * cross-validation when empty. The grid settings are checked even when {@code lambda} is fixed, so that a typo is
 * reported whatever the other settings are; a solver-specific setting given to a solver that does not read it is an
 * error, so every record holds the defaults for the settings its solver ignores.
 */
record RidgeHyperParameters(LinearSolver solver, OptionalDouble lambda, OptionalDouble l1Ratio,
    OptionalInt maxFeatures, int folds, double lambdaMin, double lambdaMax, int lambdaSteps, int epochs,
    double learningRate, List<String> exclude) {

  static final String SOLVER = "solver";
  static final String LAMBDA = "lambda";
  static final String L1_RATIO = "l1_ratio";
  static final String MAX_FEATURES = "max_features";
  static final String FOLDS = "folds";
  static final String LAMBDA_MIN = "lambda_min";
  static final String LAMBDA_MAX = "lambda_max";
  static final String LAMBDA_STEPS = "lambda_steps";
  static final String EPOCHS = "epochs";
  static final String LEARNING_RATE = "learning_rate";
  /** Features the model must not use, by name, comma-separated: they get weight 0. */
  static final String EXCLUDE = "exclude";
  static final List<String> KEYS = List.of(SOLVER, LAMBDA, L1_RATIO, MAX_FEATURES, FOLDS, LAMBDA_MIN, LAMBDA_MAX,
      LAMBDA_STEPS, EPOCHS, LEARNING_RATE, EXCLUDE);
  /** The keys of payload version 1, written before there was more than the ridge solver. */
  static final List<String> KEYS_V1 = List.of(LAMBDA, FOLDS, LAMBDA_MIN, LAMBDA_MAX, LAMBDA_STEPS, EXCLUDE);

  static final String AUTO = "auto";
  /** Beyond this every weight is numerically zero for features scaled to unit variance. */
  static final double MAX_LAMBDA = 1e12;
  private static final String LAMBDA_ALLOWED = "auto or a finite number in [0, " + format(MAX_LAMBDA) + "]";
  /**
   * Tribuo's elastic net refuses an L1 ratio below 1e-12 (coordinate descent has no closed form for pure ridge; use
   * solver=ridge), so the ratio is in (0, 1].
   */
  private static final String L1_RATIO_ALLOWED = "auto or a number in (0, 1]";
  /** The L1 ratios {@code l1_ratio=auto} tries: mostly ridge, even, mostly LASSO, pure LASSO. */
  static final double[] L1_RATIO_GRID = {0.1, 0.5, 0.9, 1.0};
  static final int MIN_FOLDS = 2;
  static final int MAX_FOLDS = 20;
  static final int MIN_STEPS = 2;
  static final int MAX_STEPS = 200;
  static final int MAX_EPOCHS = 10_000;
  /** AdaGrad's step is lr/√(Σg²): beyond 10 the first steps overshoot standardised features by orders of magnitude. */
  static final double MAX_LEARNING_RATE = 10;

  static final RidgeHyperParameters DEFAULTS = new RidgeHyperParameters(LinearSolver.RIDGE, OptionalDouble.empty(),
      OptionalDouble.empty(), OptionalInt.empty(), 5, 1e-6, 1e3, 25, 50, 0.1, List.of());

  RidgeHyperParameters {
    if (lambda.isPresent() && !(lambda.getAsDouble() >= 0 && lambda.getAsDouble() <= MAX_LAMBDA)) {
      throw new InvalidInputException(LAMBDA, lambda.getAsDouble(), LAMBDA_ALLOWED);
    }
    if (l1Ratio.isPresent() && !(l1Ratio.getAsDouble() > 0 && l1Ratio.getAsDouble() <= 1)) {
      throw new InvalidInputException(L1_RATIO, l1Ratio.getAsDouble(), L1_RATIO_ALLOWED);
    }
    if (maxFeatures.isPresent()) {
      InvalidInputException.requireInRange(MAX_FEATURES, maxFeatures.getAsInt(), 1, LinearPayload.MAX_FEATURES, "");
    }
    InvalidInputException.requireInRange(FOLDS, folds, MIN_FOLDS, MAX_FOLDS, "");
    if (!(lambdaMin > 0 && lambdaMin <= MAX_LAMBDA)) {
      throw new InvalidInputException(LAMBDA_MIN, lambdaMin, "a finite number in (0, " + format(MAX_LAMBDA) + "]");
    }
    if (!(lambdaMax > lambdaMin && lambdaMax <= MAX_LAMBDA)) {
      throw new InvalidInputException(
          LAMBDA_MAX, lambdaMax, "a finite number in (lambda_min = " + format(lambdaMin) + ", " + format(MAX_LAMBDA) + "]");
    }
    InvalidInputException.requireInRange(LAMBDA_STEPS, lambdaSteps, MIN_STEPS, MAX_STEPS, "");
    InvalidInputException.requireInRange(EPOCHS, epochs, 1, MAX_EPOCHS, "");
    if (!(learningRate > 0 && learningRate <= MAX_LEARNING_RATE)) {
      throw new InvalidInputException(LEARNING_RATE, learningRate, "a number in (0, " + format(MAX_LEARNING_RATE) + "]");
    }
    exclude = List.copyOf(exclude);
  }

  /**
   * Reads hyper-parameters given as text; absent keys take {@link #DEFAULTS}.
   *
   * @throws InvalidInputException naming the first unknown key (in sorted order, so the report is stable), the
   *     first value that does not parse or is out of range, or a solver-specific key set for a solver that does not
   *     read it
   */
  static RidgeHyperParameters parse(Map<String, String> given) {
    for (String key : new TreeSet<>(given.keySet())) {
      if (!KEYS.contains(key)) {
        throw new InvalidInputException(
            key, quote(given.get(key)), "a hyper-parameter of the linear trainer, one of " + String.join(", ", KEYS));
      }
    }
    Map<String, String> text = new LinkedHashMap<>(DEFAULTS.toMap());
    text.putAll(given);
    LinearSolver solver = LinearSolver.fromId(text.get(SOLVER));
    OptionalDouble lambda = isAuto(text.get(LAMBDA))
        ? OptionalDouble.empty()
        : OptionalDouble.of(parseDouble(LAMBDA, text.get(LAMBDA), 0, MAX_LAMBDA, false, LAMBDA_ALLOWED));
    OptionalDouble l1Ratio = isAuto(text.get(L1_RATIO))
        ? OptionalDouble.empty()
        : OptionalDouble.of(parseDouble(L1_RATIO, text.get(L1_RATIO), 0, 1, true, L1_RATIO_ALLOWED));
    OptionalInt maxFeatures = isAuto(text.get(MAX_FEATURES))
        ? OptionalInt.empty()
        : OptionalInt.of(parseInt(MAX_FEATURES, text.get(MAX_FEATURES), 1, LinearPayload.MAX_FEATURES, "auto or "));
    int folds = parseInt(FOLDS, text.get(FOLDS), MIN_FOLDS, MAX_FOLDS, "");
    double min = parseDouble(LAMBDA_MIN, text.get(LAMBDA_MIN), 0, MAX_LAMBDA, true,
        "a finite number in (0, " + format(MAX_LAMBDA) + "]");
    double max = parseDouble(LAMBDA_MAX, text.get(LAMBDA_MAX), min, MAX_LAMBDA, true,
        "a finite number in (lambda_min = " + format(min) + ", " + format(MAX_LAMBDA) + "]");
    int steps = parseInt(LAMBDA_STEPS, text.get(LAMBDA_STEPS), MIN_STEPS, MAX_STEPS, "");
    int epochs = parseInt(EPOCHS, text.get(EPOCHS), 1, MAX_EPOCHS, "");
    double learningRate = parseDouble(LEARNING_RATE, text.get(LEARNING_RATE), 0, MAX_LEARNING_RATE, true,
        "a number in (0, " + format(MAX_LEARNING_RATE) + "]");
    List<String> exclude = new ArrayList<>();
    for (String name : text.get(EXCLUDE).split(",")) {
      if (!name.isBlank() && !exclude.contains(name.trim())) {
        exclude.add(name.trim());
      }
    }
    RidgeHyperParameters parsed = new RidgeHyperParameters(solver, lambda, l1Ratio, maxFeatures, folds, min, max,
        steps, epochs, learningRate, exclude);
    Map<String, String> canonical = parsed.toMap();
    Map<String, String> defaults = DEFAULTS.toMap();
    for (String key : KEYS) {
      if (LinearSolver.readersOf(key).isEmpty() || solver.reads().contains(key)) {
        continue;
      }
      if (!canonical.get(key).equals(defaults.get(key))) {
        throw new InvalidInputException(key, quote(given.get(key)), "the default " + defaults.get(key) + " with "
            + SOLVER + "=" + solver.id() + "; " + key + " applies to " + SOLVER + "=" + LinearSolver.readersOf(key));
      }
    }
    return parsed;
  }

  /** The canonical text form, in {@link #KEYS} order; {@link #parse} of it gives back an equal value. */
  Map<String, String> toMap() {
    Map<String, String> map = new LinkedHashMap<>();
    map.put(SOLVER, solver.id());
    map.put(LAMBDA, lambda.isPresent() ? format(lambda.getAsDouble()) : AUTO);
    map.put(L1_RATIO, l1Ratio.isPresent() ? format(l1Ratio.getAsDouble()) : AUTO);
    map.put(MAX_FEATURES, maxFeatures.isPresent() ? Integer.toString(maxFeatures.getAsInt()) : AUTO);
    map.put(FOLDS, Integer.toString(folds));
    map.put(LAMBDA_MIN, format(lambdaMin));
    map.put(LAMBDA_MAX, format(lambdaMax));
    map.put(LAMBDA_STEPS, Integer.toString(lambdaSteps));
    map.put(EPOCHS, Integer.toString(epochs));
    map.put(LEARNING_RATE, format(learningRate));
    map.put(EXCLUDE, String.join(",", exclude));
    return map;
  }

  /**
   * The cross-validation grid, geometric from {@code lambdaMin} to {@code lambdaMax} with both ends exact.
   * {@link StrictMath} keeps the grid, and so the chosen model, bit-identical on every JVM.
   */
  double[] grid() {
    double[] grid = new double[lambdaSteps];
    double ratio = lambdaMax / lambdaMin;
    for (int i = 0; i < lambdaSteps; i++) {
      grid[i] = lambdaMin * StrictMath.pow(ratio, (double) i / (lambdaSteps - 1));
    }
    grid[0] = lambdaMin;
    grid[lambdaSteps - 1] = lambdaMax;
    return grid;
  }

  /**
   * Every setting a Tribuo solver is to be tried with, in a fixed order: one when nothing is left to choose, else
   * the grid cross-validation picks from. {@code usableFeatures} bounds LARS and LASSO, which cannot select more
   * features than vary.
   */
  List<Setting> settings(int usableFeatures) {
    List<Setting> settings = new ArrayList<>();
    switch (solver) {
      case RIDGE, ELASTIC_NET -> {
        double[] lambdas = lambda.isPresent() ? new double[] {lambda.getAsDouble()} : grid();
        double[] ratios = solver == LinearSolver.RIDGE ? new double[] {0}
            : l1Ratio.isPresent() ? new double[] {l1Ratio.getAsDouble()} : L1_RATIO_GRID;
        for (double r : ratios) {
          for (double l : lambdas) {
            settings.add(new Setting(l, r, 0));
          }
        }
      }
      case LARS, LASSO -> {
        if (maxFeatures.isPresent()) {
          settings.add(new Setting(0, 0, Math.min(maxFeatures.getAsInt(), Math.max(1, usableFeatures))));
        } else {
          for (int k = 1; k <= Math.max(1, usableFeatures); k++) {
            settings.add(new Setting(0, 0, k));
          }
        }
      }
      case SGD -> settings.add(new Setting(0, 0, 0));
    }
    return settings;
  }

  /** Whether this solver has anything left for cross-validation to choose. */
  boolean crossValidates() {
    return switch (solver) {
      case RIDGE -> lambda.isEmpty();
      case ELASTIC_NET -> lambda.isEmpty() || l1Ratio.isEmpty();
      case LARS, LASSO -> maxFeatures.isEmpty();
      case SGD -> false;
    };
  }

  /**
   * One point a solver can be fitted at: the penalty λ and the L1 ratio (ridge and elastic net, 0 where unused)
   * and the most features LARS or LASSO may select (0 where unused).
   */
  record Setting(double lambda, double l1Ratio, int maxFeatures) {}

  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private static boolean isAuto(String text) {
    return text.trim().equalsIgnoreCase(AUTO);
  }

  /**
   * Reads a number in [low, high], or (low, high] when {@code lowOpen}; errors quote the text as given, not a
   * reformatted number, so the user recognises what they wrote.
   */
  private static double parseDouble(String key, String text, double low, double high, boolean lowOpen,
      String allowed) {
    double v;
    try {
      v = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(key, quote(text), allowed);
    }
    // Written so that NaN fails too.
    if (!((lowOpen ? v > low : v >= low) && v <= high)) {
      throw new InvalidInputException(key, quote(text), allowed);
    }
    return v;
  }

  private static int parseInt(String key, String text, int min, int max, String alternatives) {
    String allowed = alternatives + "an integer in [" + min + ", " + max + "]";
    int v;
    try {
      v = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(key, quote(text), allowed);
    }
    if (v < min || v > max) {
      throw new InvalidInputException(key, quote(text), allowed);
    }
    return v;
  }

  private static String quote(String text) {
    return "\"" + text + "\"";
  }
}
