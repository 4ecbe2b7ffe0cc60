package dev.tuner.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingSet;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tribuo's solvers behind {@code solver=}: what they recover, what they record, what they refuse. */
class TribuoSolverTest {

  /** y = 1.5 + 2·x0 − 3·x1 + 0.5·x2 + 0·x3 + noise 0.01: every solver should find these weights. */
  private static final double[] BETA = {2, -3, 0.5, 0};
  private static final TrainingSet DATA = Synthetic.linear(7, 300, 1.5, BETA, 0.01);

  @ParameterizedTest
  @CsvSource({
    "elastic-net, lambda_steps=4",
    "lars, ",
    "lasso, ",
    "sgd, epochs=200",
  })
  void everySolverRecoversTheWeightsOfANearlyNoiselessLinearTarget(String solver, String extra) {
    Map<String, String> hp = new java.util.HashMap<>(Map.of("solver", solver, "folds", "3"));
    if (extra != null) {
      hp.put(extra.split("=")[0], extra.split("=")[1]);
    }
    LinearModel model = Synthetic.model(Synthetic.train(DATA, 3, hp));

    // Synthetic features are uniform on [0, 1); the grid's smallest penalty shrinks these weights by under 1%.
    double[] weights = model.weights();
    for (int j = 0; j < BETA.length; j++) {
      assertThat(weights[j]).as("%s weight %d", solver, j).isCloseTo(BETA[j], within(0.05));
    }
    assertThat(model.intercept()).isCloseTo(1.5, within(0.05));
  }

  @Test
  void elasticNetWithANegligiblePenaltyIsTheExactRidgeWithTheSamePenalty() {
    LinearModel net = Synthetic.model(Synthetic.train(DATA, 1,
        Map.of("solver", "elastic-net", "lambda", "1e-9", "l1_ratio", "0.5")));
    LinearModel ridge = Synthetic.model(Synthetic.train(DATA, 1, Map.of("lambda", "1e-9")));

    // Coordinate descent stops at a relative duality gap of 1e-4, so agreement is to about 1e-4, not to rounding.
    for (int j = 0; j < BETA.length; j++) {
      assertThat(net.weights()[j]).isCloseTo(ridge.weights()[j], within(1e-3));
    }
    assertThat(net.intercept()).isCloseTo(ridge.intercept(), within(1e-3));
  }

  @Test
  void elasticNetCrossValidatesEveryLambdaAtEveryL1RatioAndRecordsTribuosProvenance() {
    TrainedModel trained = Synthetic.train(DATA, 5, Map.of("solver", "elastic-net", "lambda_steps", "3"));
    Map<String, String> properties = trained.model().info().properties();

    assertThat(properties.get("cv_mse").split(" ")).hasSize(3 * RidgeHyperParameters.L1_RATIO_GRID.length);
    assertThat(properties)
        .containsEntry("solver", "elastic-net")
        .containsEntry("tribuo.version", "4.3.2")
        .containsEntry("tribuo.model.class", "org.tribuo.regression.slm.SparseLinearModel")
        .containsEntry("tribuo.trainer.class", "org.tribuo.regression.slm.ElasticNetCDTrainer")
        .containsEntry("tribuo.trainer.alpha", properties.get("chosen_lambda"))
        .containsEntry("tribuo.trainer.l1Ratio", properties.get("chosen_l1_ratio"));
    assertThat(trained.hyperParameters()).containsEntry("solver", "elastic-net").containsEntry("l1_ratio", "auto");
  }

  @Test
  void sgdRecordsItsNestedOptimiserAndLossInTheFlatProvenance() {
    Map<String, String> properties = Synthetic.train(DATA, 5, Map.of("solver", "sgd", "epochs", "3", "learning_rate",
        "0.5")).model().info().properties();

    assertThat(properties)
        .containsEntry("tribuo.trainer.class", "org.tribuo.regression.sgd.linear.LinearSGDTrainer")
        .containsEntry("tribuo.trainer.epochs", "3")
        .containsEntry("tribuo.trainer.optimiser.class", "org.tribuo.math.optimisers.AdaGrad")
        .containsEntry("tribuo.trainer.optimiser.initialLearningRate", "0.5")
        .containsEntry("tribuo.trainer.objective.class", "org.tribuo.regression.sgd.objectives.SquaredLoss")
        .doesNotContainKey("cv_mse");
  }

  @Test
  void theRidgeRecordsTribuosLinearAlgebraAndVersion() {
    assertThat(Synthetic.train(DATA, 5, Map.of("lambda", "0.1")).model().info().properties())
        .containsEntry("tribuo.version", "4.3.2")
        .containsEntry("tribuo.linear_algebra", "org.tribuo.math.la.DenseMatrix#choleskyFactorization")
        .doesNotContainKey("tribuo.trainer.class");
  }

  @Test
  void larsChoosesAFeatureCountThatKeepsTheThreeInformativeFeatures() {
    Map<String, String> properties =
        Synthetic.train(DATA, 5, Map.of("solver", "lars", "folds", "3")).model().info().properties();

    // 4 features vary, so the grid is 1..4; below 3 the fit misses a weight of at least 0.5 on a unit-range feature.
    assertThat(properties.get("cv_mse").split(" ")).hasSize(4);
    assertThat(Integer.parseInt(properties.get("chosen_max_features"))).isBetween(3, 4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"elastic-net", "lars", "lasso", "sgd"})
  void everySolversPayloadReloadsToTheSamePredictions(String solver) {
    Map<String, String> hp = switch (solver) {
      case "elastic-net" -> Map.of("solver", solver, "lambda_steps", "3");
      case "sgd" -> Map.of("solver", solver, "epochs", "5");
      default -> Map.of("solver", solver);
    };
    TrainedModel trained = Synthetic.train(DATA, 9, hp);
    ThroughputModel reloaded = new LinearProvider().load(Synthetic.payload(trained));

    for (int r = 0; r < 20; r++) {
      float[] row = DATA.row(r);
      assertThat(reloaded.predict(row)).isEqualTo(trained.model().predict(row));
    }
    assertThat(reloaded.info().properties()).containsEntry("solver", solver);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "ridge | l1_ratio | 0.5 | elastic-net",
    "ridge | max_features | 3 | lars, lasso",
    "ridge | epochs | 10 | sgd",
    "lars | lambda | 0.1 | ridge, elastic-net",
    "sgd | lambda_steps | 7 | ridge, elastic-net",
    "elastic-net | learning_rate | 0.5 | sgd",
  })
  void aSettingTheSolverDoesNotReadIsAnErrorNamingWhoReadsIt(String solver, String key, String value,
      String readers) {
    assertThatThrownBy(() -> Synthetic.train(DATA, 1, Map.of("solver", solver, key, value)))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(key))
        .hasMessageContaining(value)
        .hasMessageContaining("solver=" + solver)
        .hasMessageContaining(readers);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "solver | ols | ridge, elastic-net, lars, lasso, sgd",
    "l1_ratio | 0 | (0, 1]",
    "l1_ratio | 1.5 | (0, 1]",
    "max_features | 0 | [1, 4096]",
    "epochs | 0 | [1, 10000]",
    "learning_rate | -1 | (0, 10]",
  })
  void aBadValueNamesKeyValueAndRange(String key, String value, String range) {
    String solver = switch (key) {
      case "l1_ratio" -> "elastic-net";
      case "max_features" -> "lars";
      case "epochs", "learning_rate" -> "sgd";
      default -> value;
    };
    Map<String, String> hp = key.equals("solver") ? Map.of(key, value) : Map.of("solver", solver, key, value);
    assertThatThrownBy(() -> Synthetic.train(DATA, 1, hp))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(key))
        .hasMessageContaining(value)
        .hasMessageContaining(range);
  }

  @Test
  void aVersionOnePayloadFromBeforeTheSolversStillLoadsAsARidge() {
    TrainedModel trained = Synthetic.train(DATA, 3, Map.of("lambda_steps", "3"));
    String v2 = new String(trained.payload(), StandardCharsets.UTF_8);
    // The version 1 layout: no l1_ratio / max_features lines, the six ridge keys, cv lines of "<lambda> <mse>".
    String v1 = Arrays.stream(v2.split("\n", -1))
        .filter(l -> !l.startsWith("l1_ratio=") && !l.startsWith("max_features=") && !l.startsWith("hp.solver=")
            && !l.startsWith("hp.l1_ratio=") && !l.startsWith("hp.max_features=") && !l.startsWith("hp.epochs=")
            && !l.startsWith("hp.learning_rate="))
        .map(l -> l.equals("version=2") ? "version=1" : l)
        .map(l -> l.startsWith("cv=") ? "cv=" + l.split(" ")[0].substring(3) + " " + l.split(" ")[3] : l)
        .collect(Collectors.joining("\n"));

    ThroughputModel model = new LinearProvider().load(Synthetic.payload(trained, v1.getBytes(StandardCharsets.UTF_8)));

    assertThat(model.predict(DATA.row(0))).isEqualTo(trained.model().predict(DATA.row(0)));
    assertThat(model.info().properties()).containsEntry("solver", "ridge").containsEntry("cv_mse",
        trained.model().info().properties().get("cv_mse"));
  }
}
