package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.tuner.api.TrainingSet;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import smile.data.DataFrame;
import smile.data.formula.Formula;
import smile.regression.RandomForest;

/** The flattened forest against a forest grown by Smile's own {@code RandomForest.fit} with the same tree seeds. */
class SmileAgreementTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bootstrap", "subsample", "all-features"})
  void predictsExactlyWhatSmilePredictsOnHeldOutRows(String setting) {
    Map<String, String> hp = switch (setting) {
      case "bootstrap" -> Map.of("trees", "16", "max_nodes", "100");
      case "subsample" -> Map.of("trees", "12", "max_nodes", "60", "subsample", "0.7", "min_leaf", "5");
      default -> Map.of("trees", "8", "max_nodes", "40", "mtry_fraction", "1", "max_depth", "6");
    };
    TrainingSet train = Synthetic.nonlinear(300, 11);
    TrainingSet test = Synthetic.nonlinear(200, 12);
    ForestTrainer.Fit fit = new ForestTrainer().fit(train, Synthetic.options(5, 2, hp));
    RandomForest smile = smileForest(train, fit);

    DataFrame held = Synthetic.frame(test);
    for (int i = 0; i < test.rows(); i++) {
      assertThat(fit.model().predict(test.row(i))).as("row %d", i).isEqualTo(smile.predict(held.get(i)));
    }
  }

  @Test
  void impurityImportanceIsSmilesShareOfTheTotal() {
    TrainingSet train = Synthetic.nonlinear(300, 21);
    ForestTrainer.Fit fit = new ForestTrainer().fit(train, Synthetic.options(9, 2, Synthetic.small()));
    RandomForest smile = smileForest(train, fit);

    double[] sum = new double[Synthetic.WIDTH];
    for (RandomForest.Model m : smile.models()) {
      for (int j = 0; j < sum.length; j++) {
        sum[j] += m.tree.importance()[j];
      }
    }
    double total = Arrays.stream(sum).sum();
    Map<String, String> props = fit.model().info().properties();
    long listed = props.keySet().stream().filter(k -> k.startsWith("importance.impurity.")).count();
    assertThat(listed).isEqualTo(ForestTrainer.TOP_IMPORTANCES);
    for (int j = 0; j < sum.length; j++) {
      String key = "importance.impurity." + Synthetic.names().get(j);
      if (props.containsKey(key)) {
        assertThat(Double.parseDouble(props.get(key))).isCloseTo(sum[j] / total, offset(1e-5));
      }
    }
    assertThat(props).containsKey("importance.impurity.feature_00");
  }

  private static RandomForest smileForest(TrainingSet train, ForestTrainer.Fit fit) {
    DataFrame frame = Synthetic.frame(train);
    ForestHyperParameters hp = fit.hyperParameters();
    RandomForest forest = null;
    for (long seed : fit.treeSeeds()) {
      RandomForest one = RandomForest.fit(
          Formula.lhs("y"), frame, 1, fit.mtry(), hp.maxDepth(), hp.maxNodes(), hp.minLeaf(), hp.subsample(),
          LongStream.of(seed));
      forest = forest == null ? one : forest.merge(one);
    }
    return forest;
  }
}
