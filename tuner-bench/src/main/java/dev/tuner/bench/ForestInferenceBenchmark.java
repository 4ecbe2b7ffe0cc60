package dev.tuner.bench;

import dev.tuner.api.ThroughputModel;
import dev.tuner.core.predict.LoadedModel;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import smile.data.DataFrame;
import smile.data.Tuple;
import smile.data.formula.Formula;
import smile.regression.RandomForest;

/**
 * The model alone on encoded rows: tuner's flattened forest against Smile's own {@code RandomForest.predict} and ONNX
 * Runtime running the exported {@code TreeEnsembleRegressor} (one intra-op thread, like tuner's single-threaded walk),
 * at batch 1 and batch 1 024. All three are random forests of the default model's settings (80 trees, min_leaf 2,
 * mtry 26 of 43, max_depth 10, max_nodes 1000) on the same 720 encoded training rows; tuner's and ONNX's are the same
 * forest, Smile's is grown by {@code RandomForest.fit} with its own seeds. Batch 1 cycles through the 720 rows; the
 * 1 024-row batch repeats them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ForestInferenceBenchmark {
  static final int BATCH = 1024;

  private ThroughputModel tuner;
  private RandomForest smile;
  private LoadedModel onnx;
  private float[][] rows;
  private Tuple[] tuples;
  private float[] batch;
  private DataFrame smileBatch;
  private double[] out;

  @Setup
  public void setUp() {
    BenchModels m = new BenchModels();
    var train = m.trainingSet();
    int n = train.rows();
    int w = train.width();
    tuner = m.trainForest();
    onnx = m.viaOnnx(tuner);

    double[][] x = new double[n][w + 1];
    rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = train.row(i);
      for (int j = 0; j < w; j++) {
        x[i][j] = rows[i][j];
      }
      x[i][w] = train.target(i);
    }
    String[] names = new String[w + 1];
    for (int j = 0; j < w; j++) {
      names[j] = "f" + j;
    }
    names[w] = "y";
    DataFrame frame = DataFrame.of(x, names);
    int mtry = (int) Math.round(0.6 * w);
    smile = RandomForest.fit(Formula.lhs("y"), frame, 80, mtry, 10, 1000, 2, 1.0,
        LongStream.range(BenchModels.SEED, BenchModels.SEED + 80));
    tuples = new Tuple[n];
    for (int i = 0; i < n; i++) {
      tuples[i] = frame.get(i);
    }

    batch = new float[BATCH * w];
    double[][] xb = new double[BATCH][];
    for (int r = 0; r < BATCH; r++) {
      System.arraycopy(rows[r % n], 0, batch, r * w, w);
      xb[r] = x[r % n];
    }
    smileBatch = DataFrame.of(xb, names);
    out = new double[BATCH];

    for (int i = 0; i < n; i++) {
      double a = tuner.predict(rows[i]);
      double b = onnx.model().predict(rows[i]);
      if (Math.abs(a - b) > 1e-4) {
        throw new IllegalStateException("ONNX export disagrees with the forest on row " + i + ": " + a + " vs " + b);
      }
    }
  }

  @TearDown
  public void tearDown() {
    onnx.model().close();
  }

  @Benchmark
  public double tunerBatch1(Cursor c) {
    return tuner.predict(rows[c.next(rows.length)]);
  }

  @Benchmark
  public double smileBatch1(Cursor c) {
    return smile.predict(tuples[c.next(tuples.length)]);
  }

  @Benchmark
  public double onnxBatch1(Cursor c) {
    return onnx.model().predict(rows[c.next(rows.length)]);
  }

  @Benchmark
  public double[] tunerBatch1024() {
    tuner.predictBatch(batch, BATCH, out);
    return out;
  }

  @Benchmark
  public double[] smileBatch1024() {
    return smile.predict(smileBatch);
  }

  @Benchmark
  public double[] onnxBatch1024() {
    onnx.model().predictBatch(batch, BATCH, out);
    return out;
  }
}
