package dev.tuner.bench;

import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.Scenario;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Scores 1 000 000 scenarios (a seeded sweep over the whole catalog, decode and prefill) to tokens/s with the batch
 * path: roofline, encoding, model and clamp per scenario, no interval or attribution. One operation is the whole
 * million. {@code default} is the embedded default model (a per-phase ensemble: an 80-tree forest for decode, a
 * forest and ridge blend for prefill), {@code forest} the forest alone with the same settings on both phases (each
 * tree split on the phase first: the default model before the ensemble), {@code linear} ridge trained in setup.
 *
 * <p>{@code oneThread} and {@code parallel} are the batch APIs, {@link Predictor#predictTokensPerSecond(Scenario[],
 * double[])} and {@link Predictor#predictTokensPerSecondParallel} (both cores through the common fork-join pool), on
 * the whole million. {@code callerChunked*} call {@link Predictor#predictTokensPerSecond(Scenario[], double[],
 * float[])} on 4 096-row chunks, on one thread or from a parallel stream with a scratch buffer per thread, as a
 * caller had to before the chunked APIs existed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BatchScoringBenchmark {
  static final int SCENARIOS = 1_000_000;
  static final int CHUNK = 4096;

  @Param({"default", "forest", "linear"})
  public String model;

  private LoadedModel loaded;
  private Predictor predictor;
  private Scenario[] scenarios;
  private Scenario[][] chunks;
  private double[][] chunkOut;
  private ThreadLocal<float[]> scratch;
  private double[] out;

  @Setup
  public void setUp() {
    BenchModels m = new BenchModels();
    loaded = switch (model) {
      case "default" -> m.embeddedDefault();
      case "forest" -> new LoadedModel(m.trainForest(), m.schema, Calibration.none(m.schema.width()),
          java.util.Optional.empty());
      case "linear" -> m.linearWithCalibration();
      default -> throw new IllegalArgumentException(model);
    };
    predictor = m.predictor(loaded);
    scenarios = m.sweep(SCENARIOS);
    int count = (SCENARIOS + CHUNK - 1) / CHUNK;
    chunks = new Scenario[count][];
    chunkOut = new double[count][];
    for (int c = 0; c < count; c++) {
      int from = c * CHUNK;
      int to = Math.min(SCENARIOS, from + CHUNK);
      chunks[c] = Arrays.copyOfRange(scenarios, from, to);
      chunkOut[c] = new double[to - from];
    }
    int width = predictor.encoder().width();
    scratch = ThreadLocal.withInitial(() -> new float[CHUNK * width]);
    out = new double[SCENARIOS];
  }

  @TearDown
  public void tearDown() {
    loaded.model().close();
  }

  @Benchmark
  public double[] oneThread() {
    predictor.predictTokensPerSecond(scenarios, out);
    return out;
  }

  @Benchmark
  public double[] parallel() {
    predictor.predictTokensPerSecondParallel(scenarios, out);
    return out;
  }

  @Benchmark
  public double[][] callerChunkedOneThread() {
    float[] buffer = scratch.get();
    for (int c = 0; c < chunks.length; c++) {
      predictor.predictTokensPerSecond(chunks[c], chunkOut[c], buffer);
    }
    return chunkOut;
  }

  @Benchmark
  public double[][] callerChunkedParallel() {
    IntStream.range(0, chunks.length).parallel()
        .forEach(c -> predictor.predictTokensPerSecond(chunks[c], chunkOut[c], scratch.get()));
    return chunkOut;
  }
}
