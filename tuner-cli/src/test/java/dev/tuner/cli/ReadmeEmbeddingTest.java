package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.ConfigLoader;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.config.TunerModule;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.recommend.RecommendRequest;
import dev.tuner.core.recommend.Recommendation;
import dev.tuner.core.recommend.Recommender;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's "Embedding the library" snippet, so the documentation cannot drift from the API. */
class ReadmeEmbeddingTest {
  @Test
  void theReadmeSnippetWorksWithTheEmbeddedDefaultModel(@TempDir Path dir) throws Exception {
    Path yaml = Files.writeString(dir.resolve("tuner.yaml"), "interval:\n  level: 0.9\n");
    TunerConfig config = ConfigLoader.load(Optional.of(yaml), System.getProperties(), Map.of());
    Injector injector = Guice.createInjector(new TunerModule(config));
    Predictor predictor = injector.getInstance(Predictor.class);
    Catalog catalog = injector.getInstance(Catalog.class);

    Scenario s = ScenarioRequest.of("Llama 3 8B", "H100 SXM5 80GB", "FP8", 32, 2048, "decode").resolve(catalog);
    ThroughputPrediction p = predictor.predict(s);
    assertThat(predictor.isFallback()).as("the embedded default model is used").isFalse();
    assertThat(p.tokensPerSecond()).isPositive().isLessThanOrEqualTo(p.rooflineTokensPerSecond());
    assertThat(p.interval().contains(p.tokensPerSecond())).isTrue();

    Recommendation r = injector.getInstance(Recommender.class)
        .recommend(RecommendRequest.defaults(catalog.model("Llama 3 8B"), catalog.device("RTX 4090"), catalog));
    assertThat(r.top()).isNotEmpty();
  }
}
