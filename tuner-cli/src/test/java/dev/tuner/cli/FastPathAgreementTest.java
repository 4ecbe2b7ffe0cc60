package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainingOptions;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.ConfigLoader;
import dev.tuner.core.config.TunerModule;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.learn.Encoded;
import dev.tuner.core.predict.Calibration;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import dev.tuner.linear.LinearProvider;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The batch paths a capacity planner uses against the one-scenario path, on every row of the shipped measurements
 * (flagged rows included): {@code predictTokensPerSecond} in all its forms must give exactly the double
 * {@code predict(s).tokensPerSecond()} gives, for the embedded default model and for a ridge model. The rows are
 * repeated with other batch sizes so that the chunked and parallel paths split them into several parts.
 */
class FastPathAgreementTest {
  private static final int REPEATS = 4;

  static Catalog catalog;
  static Roofline roofline;
  static Dataset.Prepared data;
  static Scenario[] rows;

  @BeforeAll
  static void loadShippedMeasurements() throws Exception {
    catalog = Catalog.shipped();
    roofline = new Roofline(catalog);
    try (InputStream in = FastPathAgreementTest.class.getClassLoader()
        .getResourceAsStream("dev/tuner/data/measurements.csv")) {
      data = Dataset.load(new InputStreamReader(in, StandardCharsets.UTF_8), "measurements.csv", catalog, roofline,
          new Dataset.Options(true, true));
    }
    int n = data.examples().size();
    rows = new Scenario[n * REPEATS];
    for (int k = 0; k < REPEATS; k++) {
      for (int i = 0; i < n; i++) {
        Scenario s = data.examples().get(i).scenario();
        rows[k * n + i] = k == 0 ? s : s.withBatch(Math.min(Scenario.MAX_BATCH, s.batch() << (2 * k)));
      }
    }
  }

  @Test
  void theEmbeddedDefaultModelScoresEveryRowAlikeOnAllPaths() {
    Predictor p = Guice.createInjector(new TunerModule(ConfigLoader.load(Optional.empty(), new Properties(),
        Map.of()))).getInstance(Predictor.class);
    assertThat(p.isFallback()).isFalse();
    assertThat(p.model().model().info().providerId()).isEqualTo("ensemble");
    assertAllPathsAgree(p);
  }

  @Test
  void aRidgeModelScoresEveryRowAlikeOnAllPaths() {
    FeatureSchema schema = FeatureSchemas.tunerV1();
    ThroughputModel ridge = new LinearProvider().trainer().orElseThrow()
        .train(new Encoded(schema, data.examples()).trainingSet(OutputKind.LOG_ROOFLINE_FRACTION),
            new TrainingOptions(42, Map.of(), 1, ProgressListener.NONE))
        .model();
    Predictor p = new Predictor(new LoadedModel(ridge, schema, Calibration.none(schema.width()), Optional.empty()),
        roofline, 0.9, false);
    assertAllPathsAgree(p);
  }

  private static void assertAllPathsAgree(Predictor p) {
    int n = rows.length;
    double[] whole = new double[n];
    p.predictTokensPerSecond(rows, whole, new float[n * p.encoder().width()]);
    double[] chunked = new double[n];
    p.predictTokensPerSecond(rows, chunked);
    double[] parallel = new double[n];
    p.predictTokensPerSecondParallel(rows, parallel);
    double[] ownPool = new double[n];
    ForkJoinPool pool = new ForkJoinPool(3);
    try {
      pool.submit(() -> p.predictTokensPerSecondParallel(rows, ownPool)).join();
    } finally {
      pool.shutdown();
    }
    for (int i = 0; i < n; i++) {
      long expected = Double.doubleToRawLongBits(p.predict(rows[i]).tokensPerSecond());
      assertThat(Double.doubleToRawLongBits(whole[i])).as("row %d, one batch", i).isEqualTo(expected);
      assertThat(Double.doubleToRawLongBits(chunked[i])).as("row %d, chunked", i).isEqualTo(expected);
      assertThat(Double.doubleToRawLongBits(parallel[i])).as("row %d, parallel", i).isEqualTo(expected);
      assertThat(Double.doubleToRawLongBits(ownPool[i])).as("row %d, parallel in own pool", i).isEqualTo(expected);
    }
  }
}
