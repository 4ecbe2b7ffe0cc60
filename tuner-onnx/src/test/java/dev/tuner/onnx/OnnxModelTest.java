package dev.tuner.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ThroughputModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelTest {
  private static final int WIDTH = 20;

  @TempDir Path dir;

  private ThroughputModel open(long seed) {
    var trees = Fixtures.trees(new SplittableRandom(seed), WIDTH, 20, 7);
    Path file = new OnnxExporter().export(trees, Fixtures.info("m" + seed, WIDTH, Map.of()), Map.of(),
        dir.resolve("m" + seed + ".onnx"), false);
    return new OnnxProvider().openForeignFile(file, ForeignModelOptions.defaults());
  }

  @Test
  void concurrentPredictionsEqualSingleThreadedOnes() throws Exception {
    int rows = 2000;
    int threads = 8;
    float[] x = Fixtures.rows(new SplittableRandom(31), rows, WIDTH);
    try (ThroughputModel model = open(30)) {
      double[] expected = new double[rows];
      for (int r = 0; r < rows; r++) {
        expected[r] = model.predict(Fixtures.row(x, r, WIDTH));
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<double[]>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int start = t * rows / threads;
          results.add(pool.submit(() -> {
            double[] got = new double[rows];
            for (int i = 0; i < rows; i++) {
              int r = (start + i) % rows;
              got[r] = model.predict(Fixtures.row(x, r, WIDTH));
            }
            return got;
          }));
        }
        for (Future<double[]> result : results) {
          assertThat(result.get()).containsExactly(expected);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void closeReleasesTheSessionAndLaterPredictionsFailClearly() {
    ThroughputModel model = open(32);
    float[] x = new float[WIDTH];
    model.predict(x);
    model.close();
    model.close();
    assertThatThrownBy(() -> model.predict(x))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("m32")
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> model.predictBatch(new float[2 * WIDTH], 2, new double[2]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void inputsOfTheWrongSizeAreRefused() {
    try (ThroughputModel model = open(33)) {
      assertThatThrownBy(() -> model.predict(new float[WIDTH - 1]))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("features = " + (WIDTH - 1) + " values")
          .hasMessageContaining(WIDTH + " values");
      assertThatThrownBy(() -> model.predictBatch(new float[3 * WIDTH - 1], 3, new double[3]))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("3 rows");
      assertThatThrownBy(() -> model.predictBatch(new float[3 * WIDTH], 3, new double[2]))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("2 outputs");
    }
  }

  @Test
  void batchWritesOnlyTheRequestedRows() {
    try (ThroughputModel model = open(34)) {
      float[] x = Fixtures.rows(new SplittableRandom(35), 4, WIDTH);
      double[] out = {-1, -1, -1, -1};
      model.predictBatch(x, 0, out);
      assertThat(out).containsExactly(-1, -1, -1, -1);
      model.predictBatch(x, 3, out);
      for (int r = 0; r < 3; r++) {
        assertThat(out[r]).isEqualTo(model.predict(Fixtures.row(x, r, WIDTH)));
      }
      assertThat(out[3]).isEqualTo(-1);
    }
  }
}
