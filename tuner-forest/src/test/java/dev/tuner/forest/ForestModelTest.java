package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.FeatureImportance;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.PortableModel;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingSet;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForestModelTest {
  private final TrainingSet data = Synthetic.nonlinear(300, 31);
  private final TrainedModel trained = new ForestTrainer().train(data, Synthetic.options(4, 2, Synthetic.small()));
  private final ThroughputModel model = trained.model();

  @Test
  void loadedPayloadPredictsTheSameOnEveryRowAndHasTheSameInfo() {
    ThroughputModel loaded = new ForestProvider().load(new ModelPayload(model.info(), trained.payload()));

    assertThat(loaded.info()).isEqualTo(model.info());
    for (int i = 0; i < data.rows(); i++) {
      float[] x = data.row(i);
      assertThat(loaded.predict(x)).isEqualTo(model.predict(x));
      assertThat(loaded.spread(x)).isEqualTo(model.spread(x));
      assertThat(loaded.attribution(x, 5)).isEqualTo(model.attribution(x, 5));
    }
  }

  @Test
  void infoDescribesTheTrainingSetAndTheSettings() {
    var info = model.info();
    assertThat(info.modelId()).matches("forest-[0-9a-f]{16}");
    assertThat(info.providerId()).isEqualTo("forest");
    assertThat(info.schema()).isEqualTo(Synthetic.SCHEMA);
    assertThat(info.outputKind()).isEqualTo(data.target());
    assertThat(info.featureCount()).isEqualTo(Synthetic.WIDTH);
    assertThat(info.warnings()).isEmpty();
    assertThat(info.properties())
        .containsEntry("trees", "24")
        .containsEntry("max_nodes", "80")
        .containsEntry("max_depth", "10")
        .containsEntry("mtry_fraction", "0.6")
        .containsEntry("seed", "4")
        .containsEntry("mtry", "25")
        .containsKeys("oob.rmse", "oob.r2", "importance.impurity.feature_00", "importance.permutation.feature_00");
    assertThat(info.properties().keySet().stream().filter(k -> k.startsWith("importance.permutation.")))
        .hasSizeBetween(1, 10);
    assertThat(trained.hyperParameters())
        .containsOnlyKeys("trees", "max_depth", "min_leaf", "max_nodes", "mtry_fraction", "subsample", "partition_by",
            "monotone", "exclude");
  }

  @Test
  void portableEnsembleEvaluatesToThePredictionOnEveryRow() {
    var ensemble = (PortableModel.TreeEnsemble) model.portable().orElseThrow();
    assertThat(ensemble.treeCount()).isEqualTo(24);
    assertThat(ensemble.base()).isZero();
    assertThat(ensemble.scale()).isEqualTo(1.0 / 24);
    for (int i = 0; i < data.rows(); i++) {
      float[] x = data.row(i);
      assertThat(ensemble.evaluate(x)).isCloseTo(model.predict(x), within(1e-12));
    }
  }

  @Test
  void batchEqualsRowByRow() {
    double[] out = new double[data.rows() + 1];
    model.predictBatch(data.features(), data.rows(), out);
    for (int i = 0; i < data.rows(); i++) {
      assertThat(out[i]).isEqualTo(model.predict(data.row(i)));
    }
    assertThat(out[data.rows()]).isZero();
  }

  @Test
  void spreadIsNonNegativeAndPositiveSomewhere() {
    double largest = 0;
    for (int i = 0; i < data.rows(); i++) {
      double s = model.spread(data.row(i)).orElseThrow();
      assertThat(s).isFinite().isGreaterThanOrEqualTo(0);
      largest = Math.max(largest, s);
    }
    assertThat(largest).isPositive();
  }

  @Test
  void spreadIsTheStandardDeviationOfTheTreePredictions() {
    var ensemble = (PortableModel.TreeEnsemble) model.portable().orElseThrow();
    int[] roots = ensemble.roots();
    int[] feature = ensemble.feature();
    float[] threshold = ensemble.threshold();
    int[] left = ensemble.left();
    int[] right = ensemble.right();
    double[] value = ensemble.value();
    for (int i = 0; i < 20; i++) {
      float[] x = data.row(i);
      double[] perTree = new double[roots.length];
      for (int t = 0; t < roots.length; t++) {
        int n = roots[t];
        while (feature[n] >= 0) {
          n = x[feature[n]] <= threshold[n] ? left[n] : right[n];
        }
        perTree[t] = value[n];
      }
      double mean = Arrays.stream(perTree).average().orElseThrow();
      double variance = Arrays.stream(perTree).map(v -> (v - mean) * (v - mean)).sum() / perTree.length;
      assertThat(model.spread(x).orElseThrow()).isCloseTo(Math.sqrt(variance), within(1e-12));
    }
  }

  @Test
  void attributionSumsToAtMostOneAndIsSortedLargestFirst() {
    for (int i = 0; i < data.rows(); i++) {
      List<FeatureImportance> top = model.attribution(data.row(i), 8);
      assertThat(top).isNotEmpty().hasSizeLessThanOrEqualTo(8);
      assertThat(top.stream().mapToDouble(FeatureImportance::importance).sum()).isLessThanOrEqualTo(1 + 1e-9);
      for (int k = 1; k < top.size(); k++) {
        assertThat(top.get(k).importance()).isLessThanOrEqualTo(top.get(k - 1).importance());
      }
      assertThat(top).extracting(FeatureImportance::feature).doesNotHaveDuplicates().isSubsetOf(Synthetic.names());
    }
    List<FeatureImportance> all = model.attribution(data.row(0), Synthetic.WIDTH);
    assertThat(all.stream().mapToDouble(FeatureImportance::importance).sum()).isCloseTo(1.0, within(1e-9));
    assertThat(model.attribution(data.row(0), 0)).isEmpty();
  }

  @Test
  void attributionFindsTheTwoFeaturesTheTargetDependsOn() {
    TrainingSet sparse = Synthetic.onlyThreeAndSeven(300, 41);
    ThroughputModel m = new ForestTrainer().train(sparse, Synthetic.options(2, 2, Synthetic.small())).model();
    TrainingSet probe = Synthetic.onlyThreeAndSeven(200, 42);

    int hits = 0;
    for (int i = 0; i < probe.rows(); i++) {
      List<FeatureImportance> top = m.attribution(probe.row(i), 2);
      if (top.size() == 2
          && top.stream().map(FeatureImportance::feature).allMatch(f -> f.equals("feature_03") || f.equals("feature_07"))) {
        hits++;
      }
    }
    assertThat(hits).as("rows whose top two features are 3 and 7").isGreaterThan(probe.rows() * 8 / 10);
  }

  @Test
  void rejectsInputOfTheWrongWidth() {
    assertThatThrownBy(() -> model.predict(new float[Synthetic.WIDTH - 1]))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("41 values")
        .hasMessageContaining("42 values");
    assertThatThrownBy(() -> model.predictBatch(new float[Synthetic.WIDTH], 2, new double[2]))
        .isInstanceOf(InvalidInputException.class);
  }
}
