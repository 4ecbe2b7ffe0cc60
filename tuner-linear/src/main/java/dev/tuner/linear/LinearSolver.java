package dev.tuner.linear;

import dev.tuner.api.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How the linear trainer fits its weights. {@link #RIDGE} is tuner's exact ridge on Tribuo's linear algebra; the
 * others are Tribuo's own regression trainers, fitted on the same standardised features. Each solver names the
 * hyper-parameters it reads, so that a setting it would ignore is reported instead of silently dropped.
 */
enum LinearSolver {
  /** (ZᵀZ + λ·n·I) w = Zᵀ(y − ȳ) by Cholesky; λ by cross-validation. */
  RIDGE("ridge", List.of(RidgeHyperParameters.LAMBDA, RidgeHyperParameters.LAMBDA_MIN,
      RidgeHyperParameters.LAMBDA_MAX, RidgeHyperParameters.LAMBDA_STEPS)),
  /** Tribuo's ElasticNetCDTrainer (coordinate descent); λ and the L1 ratio by cross-validation. */
  ELASTIC_NET("elastic-net", List.of(RidgeHyperParameters.LAMBDA, RidgeHyperParameters.LAMBDA_MIN,
      RidgeHyperParameters.LAMBDA_MAX, RidgeHyperParameters.LAMBDA_STEPS, RidgeHyperParameters.L1_RATIO)),
  /** Tribuo's LARSTrainer (least-angle regression); the number of features it may use by cross-validation. */
  LARS("lars", List.of(RidgeHyperParameters.MAX_FEATURES)),
  /** Tribuo's LARSLassoTrainer (the LASSO path by LARS); the number of features by cross-validation. */
  LASSO("lasso", List.of(RidgeHyperParameters.MAX_FEATURES)),
  /** Tribuo's LinearSGDTrainer (squared loss, AdaGrad); no penalty, so nothing to cross-validate. */
  SGD("sgd", List.of(RidgeHyperParameters.EPOCHS, RidgeHyperParameters.LEARNING_RATE));

  private final String id;
  private final List<String> reads;

  LinearSolver(String id, List<String> reads) {
    this.id = id;
    this.reads = reads;
  }

  String id() {
    return id;
  }

  /** The solver-specific hyper-parameters this solver uses (folds and exclude apply to every solver). */
  List<String> reads() {
    return reads;
  }

  static LinearSolver fromId(String text) {
    String id = text.trim();
    for (LinearSolver s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new InvalidInputException(RidgeHyperParameters.SOLVER, "\"" + text + "\"",
        "one of " + Arrays.stream(values()).map(LinearSolver::id).collect(Collectors.joining(", ")));
  }

  /** The solvers that read {@code key}, for the message when another solver is given it. */
  static String readersOf(String key) {
    return Arrays.stream(values()).filter(s -> s.reads.contains(key)).map(LinearSolver::id)
        .collect(Collectors.joining(", "));
  }
}
