package dev.tuner.bench;

import dev.tuner.api.ModelTrainer;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import dev.tuner.linear.LinearProvider;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training the linear model on every usable shipped row (720 rows, 43 features, target log_roofline_fraction) with
 * each {@code solver=}: {@code withCv} is one training as `tuner train` runs it inside each outer fold, the solver's
 * own 5-fold cross-validation over its default grid included (ridge 25 λ; elastic net 25 λ × 4 L1 ratios; LARS and
 * LASSO one point per varying feature; SGD none, 50 epochs); {@code oneFit} is a single fit at a fixed setting
 * (λ = 0.01 and L1 ratio 0.5 where they apply, 10 features for LARS and LASSO).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LinearSolverBenchmark {
  @Param({"ridge", "elastic-net", "lars", "lasso", "sgd"})
  public String solver;

  private ModelTrainer trainer;
  private TrainingSet data;
  private TrainingOptions withCv;
  private TrainingOptions oneFit;

  @Setup
  public void setUp() {
    trainer = new LinearProvider().trainer().orElseThrow();
    data = new BenchModels().trainingSet();
    withCv = new TrainingOptions(BenchModels.SEED, Map.of("solver", solver), 1, ProgressListener.NONE);
    Map<String, String> fixed = switch (solver) {
      case "ridge" -> Map.of("solver", solver, "lambda", "0.01");
      case "elastic-net" -> Map.of("solver", solver, "lambda", "0.01", "l1_ratio", "0.5");
      case "lars", "lasso" -> Map.of("solver", solver, "max_features", "10");
      default -> Map.of("solver", solver);
    };
    oneFit = new TrainingOptions(BenchModels.SEED, fixed, 1, ProgressListener.NONE);
  }

  @Benchmark
  public TrainedModel withCv() {
    return trainer.train(data, withCv);
  }

  @Benchmark
  public TrainedModel oneFit() {
    return trainer.train(data, oneFit);
  }
}
