package dev.tuner.linear;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.MonotoneConstraints;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeSet;

/**
 * The ridge trainer's hyper-parameters, parsed and range-checked. {@code lambda} is empty for {@code auto}, in
 * which case the strength is chosen by {@code folds}-fold cross-validation over a log grid of {@code lambdaSteps}
 * values from {@code lambdaMin} to {@code lambdaMax}. The grid settings are checked even when {@code lambda} is
 * fixed, so that a typo is reported whatever the other settings are.
 */
record RidgeHyperParameters(OptionalDouble lambda, int folds, double lambdaMin, double lambdaMax, int lambdaSteps,
    List<String> exclude, Map<String, Integer> monotone) {

  static final String LAMBDA = "lambda";
  static final String FOLDS = "folds";
  static final String LAMBDA_MIN = "lambda_min";
  static final String LAMBDA_MAX = "lambda_max";
  static final String LAMBDA_STEPS = "lambda_steps";
  /** Features the model must not use, by name, comma-separated: they get weight 0. */
  static final String EXCLUDE = "exclude";
  /**
   * Features whose weight must have a sign ({@link MonotoneConstraints}): a feature fitted with the wrong sign is
   * excluded and the model refitted, until every constrained weight has its sign or is 0. Only the resulting
   * exclusions are stored, as {@code exclude}.
   */
  static final String MONOTONE = MonotoneConstraints.KEY;
  /** The keys a payload stores, in order. */
  static final List<String> STORED_KEYS = List.of(LAMBDA, FOLDS, LAMBDA_MIN, LAMBDA_MAX, LAMBDA_STEPS, EXCLUDE);
  static final List<String> KEYS = List.of(LAMBDA, FOLDS, LAMBDA_MIN, LAMBDA_MAX, LAMBDA_STEPS, EXCLUDE, MONOTONE);

  static final String AUTO = "auto";
  /** Beyond this every weight is numerically zero for features scaled to unit variance. */
  static final double MAX_LAMBDA = 1e12;
  private static final String LAMBDA_ALLOWED = "auto or a finite number in [0, " + format(MAX_LAMBDA) + "]";
  static final int MIN_FOLDS = 2;
  static final int MAX_FOLDS = 20;
  static final int MIN_STEPS = 2;
  static final int MAX_STEPS = 200;

  static final RidgeHyperParameters DEFAULTS = new RidgeHyperParameters(OptionalDouble.empty(), 5, 1e-6, 1e3, 25,
      List.of());

  /** Without sign constraints. */
  RidgeHyperParameters(OptionalDouble lambda, int folds, double lambdaMin, double lambdaMax, int lambdaSteps,
      List<String> exclude) {
    this(lambda, folds, lambdaMin, lambdaMax, lambdaSteps, exclude, Map.of());
  }

  RidgeHyperParameters {
    if (lambda.isPresent() && !(lambda.getAsDouble() >= 0 && lambda.getAsDouble() <= MAX_LAMBDA)) {
      throw new InvalidInputException(LAMBDA, lambda.getAsDouble(), LAMBDA_ALLOWED);
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
    exclude = List.copyOf(exclude);
    monotone = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(monotone));
  }

  /** These settings with {@code exclude} replaced and no sign constraints: what a payload stores. */
  RidgeHyperParameters stored(List<String> effectiveExclude) {
    return new RidgeHyperParameters(lambda, folds, lambdaMin, lambdaMax, lambdaSteps, effectiveExclude);
  }

  /**
   * Reads hyper-parameters given as text; absent keys take {@link #DEFAULTS}.
   *
   * @throws InvalidInputException naming the first unknown key (in sorted order, so the report is stable) or the
   *     first value that does not parse or is out of range
   */
  static RidgeHyperParameters parse(Map<String, String> given) {
    for (String key : new TreeSet<>(given.keySet())) {
      if (!KEYS.contains(key)) {
        throw new InvalidInputException(
            key, quote(given.get(key)), "a hyper-parameter of the linear trainer, one of " + String.join(", ", KEYS));
      }
    }
    Map<String, String> text = new LinkedHashMap<>(DEFAULTS.toMap());
    text.put(MONOTONE, "");
    text.putAll(given);
    String lambdaText = text.get(LAMBDA);
    OptionalDouble lambda =
        lambdaText.trim().equalsIgnoreCase(AUTO)
            ? OptionalDouble.empty()
            : OptionalDouble.of(parseDouble(LAMBDA, lambdaText, 0, MAX_LAMBDA, false, LAMBDA_ALLOWED));
    int folds = parseInt(FOLDS, text.get(FOLDS), MIN_FOLDS, MAX_FOLDS);
    double min = parseDouble(LAMBDA_MIN, text.get(LAMBDA_MIN), 0, MAX_LAMBDA, true,
        "a finite number in (0, " + format(MAX_LAMBDA) + "]");
    double max = parseDouble(LAMBDA_MAX, text.get(LAMBDA_MAX), min, MAX_LAMBDA, true,
        "a finite number in (lambda_min = " + format(min) + ", " + format(MAX_LAMBDA) + "]");
    int steps = parseInt(LAMBDA_STEPS, text.get(LAMBDA_STEPS), MIN_STEPS, MAX_STEPS);
    List<String> exclude = new java.util.ArrayList<>();
    for (String name : text.get(EXCLUDE).split(",")) {
      if (!name.isBlank() && !exclude.contains(name.trim())) {
        exclude.add(name.trim());
      }
    }
    return new RidgeHyperParameters(lambda, folds, min, max, steps, exclude,
        MonotoneConstraints.parse(text.get(MONOTONE)));
  }

  /** The canonical text form, in {@link #KEYS} order; {@link #parse} of it gives back an equal value. */
  Map<String, String> toMap() {
    Map<String, String> map = new LinkedHashMap<>();
    map.put(LAMBDA, lambda.isPresent() ? format(lambda.getAsDouble()) : AUTO);
    map.put(FOLDS, Integer.toString(folds));
    map.put(LAMBDA_MIN, format(lambdaMin));
    map.put(LAMBDA_MAX, format(lambdaMax));
    map.put(LAMBDA_STEPS, Integer.toString(lambdaSteps));
    map.put(EXCLUDE, String.join(",", exclude));
    if (!monotone.isEmpty()) {
      map.put(MONOTONE, MonotoneConstraints.format(monotone));
    }
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

  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
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

  private static int parseInt(String key, String text, int min, int max) {
    String allowed = "an integer in [" + min + ", " + max + "]";
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
