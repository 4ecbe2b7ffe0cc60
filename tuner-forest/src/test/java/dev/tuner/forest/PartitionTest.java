package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.OutputKind;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingException;
import dev.tuner.api.TrainingSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Trees partitioned on a flag: each side of every tree learns from that side's rows alone. */
class PartitionTest {
  private static final List<String> NAMES = List.of("a", "b", "is_prefill", "c");
  private static final int FLAG = 2;

  /** The target is 10 on rows with the flag clear and 20 where it is set, whatever the other features. */
  private static TrainingSet twoLevels(int rows, int flagged) {
    var rng = new SplittableRandom(5);
    float[] x = new float[rows * NAMES.size()];
    double[] y = new double[rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < NAMES.size(); j++) {
        x[i * NAMES.size() + j] = (float) rng.nextDouble();
      }
      boolean set = i < flagged;
      x[i * NAMES.size() + FLAG] = set ? 1 : 0;
      y[i] = set ? 20 : 10;
    }
    return new TrainingSet(Synthetic.SCHEMA, NAMES, x, y, OutputKind.LOG_TOKENS_PER_SECOND);
  }

  private static TrainedModel train(TrainingSet data, int threads, String... settings) {
    Map<String, String> hp = new HashMap<>(Map.of("trees", "12", "max_depth", "6"));
    for (String s : settings) {
      hp.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
    }
    return new ForestTrainer().train(data, Synthetic.options(3, threads, hp));
  }

  @Test
  void autoPartitionsOnIsPrefillAndEachSideOnlyLearnsFromItsOwnRows() {
    TrainingSet data = twoLevels(200, 80);
    TrainedModel trained = train(data, 2);
    ForestModel model = (ForestModel) trained.model();
    assertThat(model.info().properties()).containsEntry("partition.feature", "is_prefill");
    FlatForest forest = ForestPayload.read(trained.payload(), NAMES.size()).forest();
    for (int root : forest.roots) {
      assertThat(forest.feature[root]).isEqualTo(FLAG);
      assertThat(forest.threshold[root]).isEqualTo(0.5f);
    }
    for (int i = 0; i < data.rows(); i++) {
      assertThat(model.predict(data.row(i))).isEqualTo(data.target(i));
    }
    double[] out = new double[data.rows()];
    model.predictBatch(data.features(), data.rows(), out);
    assertThat(out).containsExactly(data.targets());
    assertThat(model.info().properties()).containsKey("importance.impurity.is_prefill");
  }

  @Test
  void partitionedTreesAreTheSameForAnyThreadCountAndSurviveTheirPayload() {
    TrainingSet data = twoLevels(150, 60);
    TrainedModel one = train(data, 1);
    TrainedModel two = train(data, 2);
    assertThat(two.payload()).isEqualTo(one.payload());
    var loaded = new ForestProvider().load(new ModelPayload(one.model().info(), one.payload()));
    for (int i = 0; i < data.rows(); i++) {
      assertThat(loaded.predict(data.row(i))).isEqualTo(one.model().predict(data.row(i)));
    }
  }

  @Test
  void noneAndTooFewRowsOnASideLeaveTreesUnpartitioned() {
    assertThat(train(twoLevels(150, 60), 2, "partition_by=none").model().info().properties())
        .containsEntry("partition.feature", "none");
    assertThat(train(twoLevels(150, 5), 2).model().info().properties())
        .containsEntry("partition.feature", "none");
  }

  @Test
  void anExplicitPartitionMustNameAFeatureWithRowsOnBothSides() {
    assertThatThrownBy(() -> train(twoLevels(150, 60), 2, "partition_by=phase"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("partition_by")
        .hasMessageContaining("is_prefill");
    assertThatThrownBy(() -> train(twoLevels(150, 5), 2, "partition_by=is_prefill"))
        .isInstanceOf(TrainingException.class)
        .hasMessageContaining("each side needs at least");
    assertThatThrownBy(() -> train(twoLevels(150, 60), 2, "max_depth=2"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("max_depth");
  }
}
