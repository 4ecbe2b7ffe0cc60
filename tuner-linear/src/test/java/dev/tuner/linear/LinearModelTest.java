package dev.tuner.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.FeatureImportance;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.PortableModel;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingSet;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class LinearModelTest {

  private static final double[] BETA = {0.1, 3.0, -0.5, 0.2, -1.2};

  private static TrainingSet data(long seed) {
    return Synthetic.linear(seed, 120, 0.8, BETA, 0.05);
  }

  private static float[][] probes(long seed, int count, int width) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] probes = new float[count][width];
    for (float[] probe : probes) {
      for (int j = 0; j < width; j++) {
        probe[j] = (float) random.nextDouble();
      }
    }
    return probes;
  }

  @Test
  void sameSeedGivesIdenticalPayloadBytes() {
    TrainedModel first = Synthetic.train(data(1), 99, Map.of());
    TrainedModel second = Synthetic.train(data(1), 99, Map.of());

    assertThat(second.payload()).isEqualTo(first.payload());
    assertThat(second.model().info()).isEqualTo(first.model().info());
    assertThat(first.model().info().modelId()).matches("linear-[0-9a-f]{12}");
    // the constraints are honoured by exclusions, and only those are stored
    Map<String, String> stored = new java.util.HashMap<>(new RidgeTrainer().defaultHyperParameters());
    stored.remove(dev.tuner.api.MonotoneConstraints.KEY);
    assertThat(first.hyperParameters()).isEqualTo(stored);
  }

  @Test
  void roundTripThroughThePayloadGivesIdenticalPredictions() {
    TrainedModel trained = Synthetic.train(data(2), 5, Map.of());
    ThroughputModel loaded = new LinearProvider().load(Synthetic.payload(trained));

    assertThat(loaded.info()).isEqualTo(trained.model().info());
    for (float[] probe : probes(3, 200, BETA.length)) {
      assertThat(loaded.predict(probe)).isEqualTo(trained.model().predict(probe));
      assertThat(loaded.attribution(probe, 5)).isEqualTo(trained.model().attribution(probe, 5));
    }
    assertThat(loaded.spread(new float[BETA.length])).isEmpty();
  }

  @Test
  void portableFormReproducesPredictExactly() {
    LinearModel model = Synthetic.model(Synthetic.train(data(4), 5, Map.of()));
    PortableModel.Linear portable = (PortableModel.Linear) model.portable().orElseThrow();
    double[] w = portable.weights();

    assertThat(w).isEqualTo(model.weights());
    for (float[] probe : probes(5, 500, BETA.length)) {
      double sum = 0;
      for (int i = 0; i < w.length; i++) {
        sum += w[i] * (double) probe[i];
      }
      assertThat(portable.intercept() + sum).isEqualTo(model.predict(probe));
    }
  }

  @Test
  void batchPredictionMatchesSinglePredictions() {
    LinearModel model = Synthetic.model(Synthetic.train(data(6), 5, Map.of()));
    float[][] probes = probes(7, 50, BETA.length);
    float[] batch = new float[probes.length * BETA.length];
    for (int r = 0; r < probes.length; r++) {
      System.arraycopy(probes[r], 0, batch, r * BETA.length, BETA.length);
    }
    double[] out = new double[probes.length];
    model.predictBatch(batch, probes.length, out);

    for (int r = 0; r < probes.length; r++) {
      assertThat(out[r]).isEqualTo(model.predict(probes[r]));
    }
    assertThatThrownBy(() -> model.predictBatch(batch, probes.length + 1, new double[probes.length + 1]))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> model.predict(new float[BETA.length + 1]))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("features");
  }

  @Test
  void predictionAllocatesNothing() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    LinearModel model = Synthetic.model(Synthetic.train(data(8), 5, Map.of()));
    float[] batch = new float[64 * BETA.length];
    double[] out = new double[64];
    float[] row = new float[BETA.length];
    double sink = 0;
    long thread = Thread.currentThread().getId();

    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 20_000; i++) {
      sink += model.predict(row);
      model.predictBatch(batch, 64, out);
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;

    assertThat(sink).isFinite();
    // The measurement itself may allocate a little; 20 000 allocating calls would show hundreds of kilobytes.
    assertThat(allocated).isLessThan(4096);
  }

  @Test
  void attributionSumsToOneIsSortedAndLedByTheLargestEffect() {
    LinearModel model = Synthetic.model(Synthetic.train(data(9), 5, Map.of()));
    float[] ones = {1, 1, 1, 1, 1};

    List<FeatureImportance> all = model.attribution(ones, 10);
    assertThat(all).hasSize(BETA.length);
    assertThat(all.stream().mapToDouble(FeatureImportance::importance).sum()).isCloseTo(1.0, within(1e-9));
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).importance()).isLessThanOrEqualTo(all.get(i - 1).importance());
    }
    assertThat(all.get(0).feature()).isEqualTo("x1");
    assertThat(all.get(1).feature()).isEqualTo("x4");
    assertThat(model.attribution(ones, 2)).isEqualTo(all.subList(0, 2));
    assertThat(model.attribution(ones, 0)).isEmpty();
    assertThatThrownBy(() -> model.attribution(ones, -1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void allConstantFeaturesGiveTheTargetMeanAWarningAndNoAttribution() {
    TrainingSet base = data(10);
    float[] x = new float[base.features().length];
    java.util.Arrays.fill(x, 0.25f);
    TrainingSet constant = new TrainingSet(base.schema(), base.featureNames(), x, base.targets(), base.target());
    LinearModel model = Synthetic.model(Synthetic.train(constant, 5, Map.of()));
    double mean = java.util.Arrays.stream(base.targets()).average().orElseThrow();

    assertThat(model.weights()).containsOnly(0.0);
    assertThat(model.predict(new float[BETA.length])).isCloseTo(mean, within(1e-12));
    assertThat(model.attribution(ones(), 3)).isEmpty();
    assertThat(model.info().warnings()).singleElement().asString().contains("constant");
    assertThat(model.info().properties()).containsEntry("dropped_features", "x0,x1,x2,x3,x4");
  }

  private static float[] ones() {
    return new float[] {1, 1, 1, 1, 1};
  }
}
