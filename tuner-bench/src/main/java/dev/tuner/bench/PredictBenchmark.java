package dev.tuner.bench;

import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.Scenario;
import java.util.concurrent.TimeUnit;
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
 * One scenario end to end, {@link Predictor#predict}: roofline, encoding, model, clamp, interval, confidence and
 * the top-5 attribution. Scenarios cycle through the 720 training rows so that branch predictors and caches see
 * varied inputs.
 *
 * <p>{@code forest} is the embedded default model (spread-normalised intervals), {@code linear} ridge trained in
 * setup with 5-fold calibration, {@code onnx-*} the same two models exported with {@code OnnxExporter} and opened as
 * foreign {@code .onnx} files, as {@code --model-file model.onnx} would (no calibration travels with a foreign file,
 * so their interval is 0 to the roofline and they attribute nothing).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PredictBenchmark {
  @Param({"linear", "forest", "onnx-linear", "onnx-forest"})
  public String model;

  private LoadedModel loaded;
  private Predictor predictor;
  private Scenario[] scenarios;

  @Setup
  public void setUp() {
    BenchModels m = new BenchModels();
    loaded = switch (model) {
      case "linear" -> m.linearWithCalibration();
      case "forest" -> m.embeddedDefault();
      case "onnx-linear" -> m.viaOnnx(m.linearWithCalibration().model());
      case "onnx-forest" -> m.viaOnnx(m.embeddedDefault().model());
      default -> throw new IllegalArgumentException(model);
    };
    predictor = m.predictor(loaded);
    scenarios = m.trainingScenarios();
  }

  @TearDown
  public void tearDown() {
    loaded.model().close();
  }

  @Benchmark
  public ThroughputPrediction predict(Cursor cursor) {
    return predictor.predict(scenarios[cursor.next(scenarios.length)]);
  }
}
