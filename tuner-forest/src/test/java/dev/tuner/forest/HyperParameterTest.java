package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import dev.tuner.api.TrainingException;
import dev.tuner.api.TrainingSet;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HyperParameterTest {
  private final ForestTrainer trainer = new ForestTrainer();

  @Test
  void defaultsAreListedInOrder() {
    assertThat(trainer.defaultHyperParameters())
        .containsExactly(
            Map.entry("trees", "80"),
            Map.entry("max_depth", "10"),
            Map.entry("min_leaf", "2"),
            Map.entry("max_nodes", "1000"),
            Map.entry("mtry_fraction", "0.6"),
            Map.entry("subsample", "1.0"),
            Map.entry("partition_by", "auto"),
            Map.entry("monotone", ""),
            Map.entry("exclude", ""));
  }

  @Test
  void anUnknownKeyIsNamedAndTheKnownOnesListed() {
    assertThatThrownBy(() -> train(Map.of("learning_rate", "0.1")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("learning_rate")
        .hasMessageContaining("trees, max_depth, min_leaf, max_nodes, mtry_fraction, subsample");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "trees, 0, '[1, 5000]'",
    "trees, 5001, '[1, 5000]'",
    "max_depth, 1, '[2, 64]'",
    "min_leaf, 0, '[1, 1000]'",
    "max_nodes, 1, '[2, 100000]'",
    "mtry_fraction, 1.5, '(0, 1]'",
    "mtry_fraction, 0, '(0, 1]'",
    "subsample, -0.5, '(0, 1]'",
    "subsample, NaN, '(0, 1]'",
    "max_depth, deep, '[2, 64]'",
    "trees, 2.5, '[1, 5000]'",
    "mtry_fraction, a third, '(0, 1]'",
  })
  void aBadValueIsRefusedNamingKeyValueAndRange(String key, String value, String range) {
    assertThatThrownBy(() -> train(Map.of(key, value)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(value)
        .hasMessageContaining(range)
        .extracting(e -> ((InvalidInputException) e).field())
        .isEqualTo(key);
  }

  @Test
  void valuesAreCanonicalised() {
    var hp = ForestHyperParameters.parse(Map.of("trees", " 12 ", "mtry_fraction", "0.50", "subsample", "1"));
    assertThat(hp.asMap()).containsEntry("trees", "12").containsEntry("mtry_fraction", "0.5")
        .containsEntry("subsample", "1.0");
    assertThat(hp.mtry(42)).isEqualTo(21);
    assertThat(ForestHyperParameters.parse(Map.of("mtry_fraction", "0.001")).mtry(42)).isEqualTo(1);
    assertThat(ForestHyperParameters.parse(Map.of("mtry_fraction", "1")).mtry(42)).isEqualTo(42);
  }

  @Test
  void tooFewRowsAreRefusedSayingHowMany() {
    assertThatThrownBy(() -> trainer.train(Synthetic.nonlinear(9, 1), Synthetic.options(1, 1, Map.of())))
        .isInstanceOf(TrainingException.class)
        .hasMessageContaining("at least 10")
        .hasMessageContaining("has 9");
  }

  @Test
  void tooManyFeaturesAreRefusedBeforeTraining() {
    int width = ForestPayload.MAX_FEATURES + 1;
    var names = IntStream.range(0, width).mapToObj(j -> "x" + j).toList();
    var wide = new TrainingSet(Synthetic.SCHEMA, names, new float[10 * width], new double[10], OutputKind.TOKENS_PER_SECOND);
    assertThatThrownBy(() -> trainer.train(wide, Synthetic.options(1, 1, Map.of())))
        .isInstanceOf(TrainingException.class)
        .hasMessageContaining("at most 4096 features")
        .hasMessageContaining("has 4097");
  }

  @Test
  void aSubsampleThatKeepsTooFewRowsIsRefused() {
    assertThatThrownBy(() -> trainer.train(Synthetic.nonlinear(20, 1), Synthetic.options(1, 1, Map.of("subsample", "0.05"))))
        .isInstanceOf(TrainingException.class)
        .hasMessageContaining("keeps 1 of the 20 rows");
  }

  @Test
  void maxSamplesCapsTheDrawsPerTreeAndIsAllRowsBelowTheCap() {
    assertThat(ForestHyperParameters.DEFAULTS.draws(1000)).isEqualTo(1000);
    assertThat(ForestHyperParameters.DEFAULTS.draws(1_000_000)).isEqualTo(65_536);
    ForestHyperParameters capped = ForestHyperParameters.parse(Map.of("max_samples", "100"));
    assertThat(capped.draws(1000)).isEqualTo(100);
    assertThat(capped.draws(40)).isEqualTo(40);
    assertThat(capped.asMap()).containsEntry("max_samples", "100");
    assertThat(ForestHyperParameters.DEFAULTS.asMap()).doesNotContainKey("max_samples");
    assertThatThrownBy(() -> train(Map.of("max_samples", "-1"))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("max_samples");
  }

  @Test
  void aCapAboveTheRowsChangesNothingAndOneBelowThinsEveryBootstrap() {
    TrainingSet data = Synthetic.nonlinear(300, 3);
    Map<String, String> hp = new java.util.HashMap<>(Synthetic.small());
    hp.put("max_samples", "300");
    ForestTrainer.Fit same = trainer.fit(data, Synthetic.options(5, 2, hp));
    hp.put("max_samples", "60");
    ForestTrainer.Fit thin = trainer.fit(data, Synthetic.options(5, 2, hp));
    // the payload records the setting, so compare what the trees measure: equal with a cap of all 300 rows
    assertThat(measured(same)).isEqualTo(measured(trainer.fit(data, Synthetic.options(5, 2, Synthetic.small()))));
    // 60 draws from 300 rows grow other trees
    assertThat(thin.model().info().properties().get("oob.rmse"))
        .isNotEqualTo(same.model().info().properties().get("oob.rmse"));
  }

  /** The out-of-bag errors and importances: what the trees measure, without the settings that name them. */
  private static Map<String, String> measured(ForestTrainer.Fit fit) {
    Map<String, String> out = new java.util.TreeMap<>(fit.model().info().properties());
    out.keySet().removeIf(k -> !k.startsWith("oob.") && !k.startsWith("importance."));
    return out;
  }

  private void train(Map<String, String> hp) {
    trainer.train(Synthetic.nonlinear(20, 1), Synthetic.options(1, 1, hp));
  }
}
