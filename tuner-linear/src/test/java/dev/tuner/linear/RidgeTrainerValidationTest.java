package dev.tuner.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.TrainingException;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RidgeTrainerValidationTest {

  private static final TrainingSet DATA = Synthetic.linear(1, 30, 0.0, new double[] {1, 2}, 0.1);

  @Test
  void defaultsListEveryHyperParameter() {
    assertThat(new RidgeTrainer().defaultHyperParameters())
        .containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
            Map.entry("solver", "ridge"), Map.entry("lambda", "auto"), Map.entry("l1_ratio", "auto"),
            Map.entry("max_features", "auto"), Map.entry("folds", "5"), Map.entry("lambda_min", "1.0E-6"),
            Map.entry("lambda_max", "1000"), Map.entry("lambda_steps", "25"), Map.entry("epochs", "50"),
            Map.entry("learning_rate", "0.1"), Map.entry("exclude", ""),
            Map.entry("monotone", "")));
  }

  @Test
  void anUnknownKeyIsNamedWithTheKnownOnes() {
    assertThatThrownBy(() -> Synthetic.train(DATA, 1, Map.of("alpha", "1", "folds", "3")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("alpha"))
        .hasMessageContaining("alpha")
        .hasMessageContaining("solver, lambda, l1_ratio, max_features, folds, lambda_min, lambda_max, lambda_steps, epochs,"
            + " learning_rate, exclude");
  }

  @Test
  void anExcludedFeatureGetsNoWeightAndTheRestStillFit() {
    TrainingSet data = Synthetic.linear(5, 200, 1.0, new double[] {2, -3}, 0.01);
    LinearModel all = Synthetic.model(Synthetic.train(data, 1, Map.of()));
    var trained = Synthetic.train(data, 1, Map.of("exclude", " x0 "));
    LinearModel without = Synthetic.model(trained);
    var weights = ((dev.tuner.api.PortableModel.Linear) without.portable().orElseThrow()).weights();
    assertThat(weights).hasSize(2);
    assertThat(weights[0]).isZero();
    assertThat(weights[1]).isCloseTo(-3, org.assertj.core.api.Assertions.within(0.2));
    assertThat(((dev.tuner.api.PortableModel.Linear) all.portable().orElseThrow()).weights()[0])
        .isCloseTo(2, org.assertj.core.api.Assertions.within(0.1));
    assertThat(trained.hyperParameters()).containsEntry("exclude", "x0");
  }

  @Test
  void excludingAFeatureTheSetDoesNotHaveNamesTheFeatures() {
    assertThatThrownBy(() -> Synthetic.train(DATA, 1, Map.of("exclude", "x0,nope")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("exclude"))
        .hasMessageContaining("nope")
        .hasMessageContaining("x0, x1");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "lambda | -1 | [0, 1000000000000]",
    "lambda | NaN | auto or",
    "lambda | lots | auto or",
    "lambda | 1e13 | [0, 1000000000000]",
    "folds | 1 | [2, 20]",
    "folds | 21 | [2, 20]",
    "folds | five | [2, 20]",
    "lambda_min | 0 | (0, 1000000000000]",
    "lambda_min | Infinity | (0, 1000000000000]",
    "lambda_max | 1e-7 | (lambda_min",
    "lambda_steps | 1 | [2, 200]",
    "lambda_steps | 2.5 | [2, 200]",
  })
  void aBadValueNamesKeyValueAndRange(String key, String value, String range) {
    assertThatThrownBy(() -> Synthetic.train(DATA, 1, Map.of(key, value)))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(key))
        .hasMessageContaining(value)
        .hasMessageContaining(range);
  }

  @Test
  void valuesAreCanonicalisedInTheResult() {
    var trained = Synthetic.train(DATA, 1, Map.of("lambda", " 1e-3 ", "folds", "3", "lambda_steps", "7"));
    assertThat(trained.hyperParameters())
        .containsEntry("lambda", "0.001")
        .containsEntry("folds", "3")
        .containsEntry("lambda_steps", "7")
        .containsEntry("lambda_min", "1.0E-6");
    assertThat(trained.model().info().properties()).doesNotContainKey("cv_mse");
  }

  @Test
  void fewerThanTenRowsIsATrainingErrorStatingTheCount() {
    TrainingSet nine = Synthetic.linear(2, 9, 0.0, new double[] {1, 2}, 0.1);
    assertThatThrownBy(() -> Synthetic.train(nine, 1, Map.of()))
        .isInstanceOf(TrainingException.class)
        .hasMessageContaining("10")
        .hasMessageContaining("has 9");
  }

  @Test
  void targetsTooLargeToFitAreATrainingError() {
    TrainingSet huge = Synthetic.linear(4, 30, 0.0, new double[] {1e307, -1e307}, 1e306);
    assertThatThrownBy(() -> Synthetic.train(huge, 1, Map.of()))
        .isInstanceOf(TrainingException.class)
        .hasMessageContaining("lambda = ")
        .hasMessageContaining("too large");
  }

  @Test
  void moreFoldsThanRowsNamesFolds() {
    TrainingSet twelve = Synthetic.linear(3, 12, 0.0, new double[] {1, 2}, 0.1);
    assertThatThrownBy(() -> Synthetic.train(twelve, 1, Map.of("folds", "15")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("folds"))
        .hasMessageContaining("[2, 12]");
    assertThat(Synthetic.train(twelve, 1, Map.of("folds", "12")).model().predict(new float[2])).isFinite();
  }

  @Test
  void progressIsReportedForEveryLambdaOfEveryFold() {
    List<long[]> calls = new ArrayList<>();
    List<String> tasks = new ArrayList<>();
    new RidgeTrainer().train(DATA, new TrainingOptions(1, Map.of("folds", "3", "lambda_steps", "4"), 1,
        (task, done, total) -> {
          tasks.add(task);
          calls.add(new long[] {done, total});
        }));

    assertThat(tasks).hasSize(12).containsOnly("ridge-cv");
    for (int i = 0; i < calls.size(); i++) {
      assertThat(calls.get(i)).containsExactly(i + 1, 12);
    }
  }
}
