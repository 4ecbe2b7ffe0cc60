package dev.tuner.bench;

import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a batched decode step costs over a single one: its roofline also computes the step of one sequence (the
 * reference of the default model, {@code RooflineResult.oneSequence}), once per scenario. {@code roofline} is
 * {@link Roofline#computeFigures} alone, {@code predict} the whole {@link Predictor#predict} with the embedded default
 * model, over the decode rows of the training data at {@code batch} sequences each.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BatchedDecodeBenchmark {
  @Param({"1", "8"})
  public int batch;

  private Roofline roofline;
  private Predictor predictor;
  private Scenario[] scenarios;

  @Setup
  public void setUp() {
    BenchModels m = new BenchModels();
    roofline = m.roofline;
    predictor = m.predictor(m.embeddedDefault());
    scenarios = Arrays.stream(m.trainingScenarios()).filter(s -> s.phase() == Phase.DECODE)
        .map(s -> s.withBatch(batch)).toArray(Scenario[]::new);
  }

  @Benchmark
  public RooflineResult roofline(Cursor cursor) {
    return roofline.computeFigures(scenarios[cursor.next(scenarios.length)]);
  }

  @Benchmark
  public ThroughputPrediction predict(Cursor cursor) {
    return predictor.predict(scenarios[cursor.next(scenarios.length)]);
  }
}
