package dev.tuner.bench;

import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.serving.EngineDefaults;
import dev.tuner.serving.EngineKind;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.serving.Lengths;
import dev.tuner.serving.Load;
import dev.tuner.serving.ServingPrediction;
import dev.tuner.serving.ServingPredictor;
import dev.tuner.serving.ServingRecommender;
import dev.tuner.serving.ServingRequest;
import dev.tuner.serving.ServingScenario;
import dev.tuner.serving.ServingTermsCodec;
import dev.tuner.serving.StepPhysics;
import dev.tuner.serving.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Issue 14's speed goals as ratios within one run: one serving workload prediction with an OSL of 1 000 (a closed
 * loop of 64 clients, and a static batch of 64, whose 999 decode steps are summed in closed form) against one step
 * prediction (the default model's {@link Predictor#predict}, and the bare roofline), and {@code recommend} over a
 * serving grid of 10 080 candidates: Llama 3.1 8B on H100 SXM5, 3 engines × 2 precisions × the 35 layouts of 1, 2, 4,
 * 8 and 16 GPUs × 48 concurrencies.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ServingBenchmark {
  private LoadedModel loaded;
  private Predictor step;
  private Roofline roofline;
  private Scenario stepScenario;
  private ServingPredictor serving;
  private ServingScenario concurrency;
  private ServingScenario batch;
  private ServingScenario rate;
  private ServingScenario run;
  private ServingRecommender recommender;
  private ServingRequest grid;

  @Setup
  public void setUp() {
    BenchModels m = new BenchModels();
    loaded = m.embeddedDefault();
    step = m.predictor(loaded);
    Catalog catalog = Catalog.shipped();
    roofline = new Roofline(catalog);
    stepScenario = m.trainingScenarios()[0];
    serving = new ServingPredictor(new StepPhysics(roofline), ServingTermsCodec.shipped());
    EngineDefaults d = EngineDefaults.shipped();
    concurrency = new ServingScenario(catalog.model("Llama 3.1 8B"), catalog.device("H100 SXM5 80GB"),
        catalog.quant("FP8"), KvCacheType.FP8, d.engine(EngineKind.VLLM, "", ""), new ParallelLayout(1, 1, 1, 1),
        new Workload(Lengths.fixed(1000), Lengths.fixed(1000), new Load.Concurrency(64)));
    batch = concurrency.withWorkload(new Workload(Lengths.fixed(1000), Lengths.fixed(1000), new Load.Batch(64)));
    // an open stream below capacity (its running count found by bisection) and a benchmark's run of 500 prompts
    rate = concurrency.withWorkload(new Workload(Lengths.fixed(1000), Lengths.fixed(1000),
        new Load.RequestRate(2, java.util.OptionalInt.empty())));
    run = concurrency.withWorkload(new Workload(Lengths.fixed(1000), Lengths.fixed(1000),
        new Load.RequestRate(2, java.util.OptionalInt.of(500))));
    List<Integer> clients = new ArrayList<>();
    for (int c = 1; c <= 48; c++) {
      clients.add(c * 8);
    }
    grid = new ServingRequest(catalog.model("Llama 3.1 8B"), catalog.device("H100 SXM5 80GB"), Lengths.fixed(1000),
        Lengths.fixed(200), List.of(d.engine(EngineKind.VLLM, "", ""), d.engine(EngineKind.SGLANG, "", ""),
            d.engine(EngineKind.TENSORRT_LLM, "", "")), List.of(catalog.quant("BF16"), catalog.quant("FP8")),
        List.of(1, 2, 4, 8, 16), clients, OptionalDouble.of(500), OptionalDouble.of(30), OptionalDouble.empty());
    if (grid.size() != 10_080) {
      throw new IllegalStateException("grid of " + grid.size() + " candidates, expected 10 080");
    }
    recommender = new ServingRecommender(serving);
  }

  @TearDown
  public void tearDown() {
    loaded.model().close();
  }

  @Benchmark
  public ThroughputPrediction stepPredict() {
    return step.predict(stepScenario);
  }

  @Benchmark
  public RooflineResult stepRoofline() {
    return roofline.compute(stepScenario);
  }

  @Benchmark
  public ServingPrediction workloadConcurrencyOsl1000() {
    return serving.predict(concurrency);
  }

  @Benchmark
  public ServingPrediction workloadStaticBatchOsl1000() {
    return serving.predict(batch);
  }

  @Benchmark
  public ServingPrediction workloadRateOsl1000() {
    return serving.predict(rate);
  }

  @Benchmark
  public ServingPrediction workloadRateRunOsl1000() {
    return serving.predict(run);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public ServingRecommender.Recommendation recommendGrid10k() {
    return recommender.recommend(grid);
  }
}
