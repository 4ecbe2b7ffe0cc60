package dev.tuner.bench;

import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.recommend.RecommendRequest;
import dev.tuner.core.recommend.Recommendation;
import dev.tuner.core.recommend.Recommender;
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
 * {@code Recommender.recommend} over the full default grid (5 quantizations × 2 KV-cache types × 9 batch sizes at
 * context 4 096) for Llama 3 8B on an RTX 4090, with the embedded default model: memory check, batch scoring,
 * ranking and the Pareto front.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RecommendBenchmark {
  private LoadedModel loaded;
  private Recommender recommender;
  private RecommendRequest request;

  @Setup
  public void setUp() {
    BenchModels m = new BenchModels();
    loaded = m.embeddedDefault();
    recommender = new Recommender(m.predictor(loaded));
    request = RecommendRequest.defaults(m.catalog.model("Llama 3 8B"), m.catalog.device("RTX 4090"), m.catalog);
  }

  @TearDown
  public void tearDown() {
    loaded.model().close();
  }

  @Benchmark
  public Recommendation fullDefaultGrid() {
    return recommender.recommend(request);
  }
}
