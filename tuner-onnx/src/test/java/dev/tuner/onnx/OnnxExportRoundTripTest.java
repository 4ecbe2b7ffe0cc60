package dev.tuner.onnx;

import static dev.tuner.onnx.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.PortableModel;
import dev.tuner.api.ThroughputModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExportRoundTripTest {
  private static final int ROWS = 1000;
  private static final Map<String, String> PROPERTIES = Map.of("trees", "30", "trained_at", "2026-11-25T10:00:00Z");

  @TempDir Path dir;

  private final OnnxExporter exporter = new OnnxExporter();
  private final OnnxProvider provider = new OnnxProvider();

  @Test
  void linearModelPredictsTheLinearFormula() {
    var random = new SplittableRandom(1);
    int width = 42;
    PortableModel.Linear linear = Fixtures.linear(random, width);
    try (ThroughputModel model = exportAndOpen(linear, Fixtures.info("lin", width, PROPERTIES), "lin.onnx")) {
      assertMatches(model, Fixtures.rows(random, ROWS, width), width, x -> Fixtures.linearReference(linear, x));
    }
  }

  @Test
  void treeEnsemblePredictsEvaluate() {
    var random = new SplittableRandom(2);
    int width = 42;
    PortableModel.TreeEnsemble trees = Fixtures.trees(random, width, 30, 8);
    try (ThroughputModel model = exportAndOpen(trees, Fixtures.info("rf", width, PROPERTIES), "rf.onnx")) {
      assertMatches(model, Fixtures.rows(random, ROWS, width), width, trees::evaluate);
    }
  }

  /** Compositions nest: two forests and two selections, one inside the other, keep their nodes apart. */
  @Test
  void nestedSumsAndSelectionsPredictEvaluate() {
    var random = new SplittableRandom(3);
    int width = 12;
    PortableModel inner = new PortableModel.Select(4, 0.3f, Fixtures.linear(random, width),
        new PortableModel.Sum(List.of(Fixtures.trees(random, width, 5, 4), Fixtures.linear(random, width))));
    PortableModel model = new PortableModel.Sum(List.of(Fixtures.trees(random, width, 7, 5),
        new PortableModel.Select(1, 0.5f, inner, Fixtures.linear(random, width))));
    try (ThroughputModel onnx = exportAndOpen(model, Fixtures.info("nested", width, PROPERTIES), "nested.onnx")) {
      assertMatches(onnx, Fixtures.rows(random, ROWS, width), width, model::evaluate);
    }
  }

  @Test
  void featureEqualToAThresholdGoesLeftAsInEvaluate() {
    var random = new SplittableRandom(3);
    int width = 12;
    PortableModel.TreeEnsemble trees = Fixtures.trees(random, width, 10, 6);
    float[] thresholds = trees.threshold();
    int[] features = trees.feature();
    float[] rows = Fixtures.rows(random, ROWS, width);
    // Put every split value on the feature it splits, so ties at x == threshold are exercised in each row.
    for (int r = 0; r < ROWS; r++) {
      for (int n = random.nextInt(features.length); n < features.length; n += 1 + random.nextInt(7)) {
        if (features[n] >= 0) {
          rows[r * width + features[n]] = thresholds[n];
        }
      }
    }
    try (ThroughputModel model = exportAndOpen(trees, Fixtures.info("ties", width, Map.of()), "ties.onnx")) {
      assertMatches(model, rows, width, trees::evaluate);
    }
  }

  @Test
  void metadataRoundTrips() {
    var random = new SplittableRandom(4);
    ModelInfo info = Fixtures.info("forest-7", 42, PROPERTIES);
    try (ThroughputModel model = exportAndOpen(Fixtures.trees(random, 42, 3, 4), info, "meta.onnx")) {
      ModelInfo loaded = model.info();
      assertThat(loaded.modelId()).isEqualTo("forest-7");
      assertThat(loaded.providerId()).isEqualTo(OnnxProvider.ID);
      assertThat(loaded.schema()).isEqualTo(info.schema());
      assertThat(loaded.outputKind()).isEqualTo(info.outputKind());
      assertThat(loaded.featureCount()).isEqualTo(42);
      assertThat(loaded.properties()).isEqualTo(PROPERTIES);
      assertThat(loaded.warnings()).isEmpty();
    }
  }

  @Test
  void extraMetadataIsWrittenAndTunerKeysBecomeProperties() {
    var random = new SplittableRandom(5);
    byte[] bytes = exporter.export(Fixtures.linear(random, 5), Fixtures.info("x", 5, Map.of()),
        Map.of("tuner.source", "run-12", "author", "me"));
    try (ThroughputModel model = open(write("extra.onnx", bytes))) {
      assertThat(model.info().properties()).containsExactlyEntriesOf(Map.of("source", "run-12"));
    }
  }

  @Test
  void exportIsDeterministic() {
    var model = Fixtures.trees(new SplittableRandom(6), 8, 5, 5);
    ModelInfo info = Fixtures.info("det", 8, PROPERTIES);
    assertThat(exporter.export(model, info, Map.of())).isEqualTo(exporter.export(model, info, Map.of()));
  }

  @Test
  void exportRefusesWidthMismatchAndMetadataCollisions() {
    var random = new SplittableRandom(7);
    assertThatThrownBy(() -> exporter.export(Fixtures.linear(random, 5), Fixtures.info("x", 6, Map.of()), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("5 weights")
        .hasMessageContaining("featureCount = 6");
    assertThatThrownBy(() -> exporter.export(Fixtures.trees(random, 5, 2, 3), Fixtures.info("x", 6, Map.of()),
            Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("featureCount = 6");
    assertThatThrownBy(() -> exporter.export(Fixtures.linear(random, 5), Fixtures.info("x", 5, Map.of()),
            Map.of(OnnxMetadata.OUTPUT_KIND, "tokens_per_s")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(OnnxMetadata.OUTPUT_KIND)
        .hasMessageContaining("tuner's own metadata");
    assertThatThrownBy(() -> exporter.export(Fixtures.linear(random, 5), Fixtures.info("x", 5, Map.of("a", "1")),
            Map.of("tuner.a", "2")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("tuner.a");
  }

  @Test
  void exportRefusesWeightsOutsideFloatRange() {
    var linear = new PortableModel.Linear(new double[] {1, 1e300}, 0);
    assertThatThrownBy(() -> exporter.export(linear, Fixtures.info("x", 2, Map.of()), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("weights[1]")
        .hasMessageContaining("float32 range");
  }

  @Test
  void exportToPathIsAtomicAndRefusesToOverwrite() throws IOException {
    var random = new SplittableRandom(8);
    var linear = Fixtures.linear(random, 4);
    ModelInfo info = Fixtures.info("p", 4, Map.of());
    Path target = dir.resolve("model.onnx");

    assertThat(exporter.export(linear, info, Map.of(), target, false)).isEqualTo(target);
    assertThat(Files.readAllBytes(target)).isEqualTo(exporter.export(linear, info, Map.of()));

    var other = Fixtures.linear(random, 4);
    assertThatThrownBy(() -> exporter.export(other, info, Map.of(), target, false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(target.toString())
        .hasMessageContaining("overwrite");
    assertThat(Files.readAllBytes(target)).isEqualTo(exporter.export(linear, info, Map.of()));

    exporter.export(other, info, Map.of(), target, true);
    assertThat(Files.readAllBytes(target)).isEqualTo(exporter.export(other, info, Map.of()));
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
    assertThatThrownBy(() -> exporter.export(other, info, Map.of(), dir.resolve("no/such/dir/m.onnx"), false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("an existing directory");
  }

  private ThroughputModel exportAndOpen(PortableModel portable, ModelInfo info, String name) {
    Path file = exporter.export(portable, info, Map.of(), dir.resolve(name), false);
    return open(file);
  }

  private ThroughputModel open(Path file) {
    return provider.openForeignFile(file, ForeignModelOptions.defaults());
  }

  private Path write(String name, byte[] bytes) {
    try {
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void assertMatches(ThroughputModel model, float[] rows, int width, ToDoubleFunction<float[]> ref) {
    int n = rows.length / width;
    double[] batch = new double[n];
    model.predictBatch(rows, n, batch);
    for (int r = 0; r < n; r++) {
      float[] x = Fixtures.row(rows, r, width);
      double expected = ref.applyAsDouble(x);
      assertClose(model.predict(x), expected, "single prediction of row " + r);
      assertClose(batch[r], expected, "batch prediction of row " + r);
    }
  }
}
