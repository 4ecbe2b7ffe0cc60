package dev.tuner.core.config;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.recommend.RecommendRequest;
import dev.tuner.core.recommend.Recommender;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module's objects made without an injector are the injector's, configuration for configuration. */
class DirectWiringTest {
  private static final List<Scenario> SCENARIOS = List.of(
      ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG),
      ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q8_0", 8, 2048, "prefill").resolve(CATALOG));

  @TempDir
  Path dir;

  private static TunerConfig config(Map<String, String> values) {
    return ConfigLoader.load(Optional.empty(), new Properties(), values);
  }

  private static void assertSamePredictions(Predictor direct, Predictor injected) {
    assertThat(direct.isFallback()).isEqualTo(injected.isFallback());
    assertThat(direct.model().id()).isEqualTo(injected.model().id());
    for (Scenario s : SCENARIOS) {
      ThroughputPrediction a = direct.predict(s);
      ThroughputPrediction b = injected.predict(s);
      assertThat(a.tokensPerSecond()).isEqualTo(b.tokensPerSecond());
      assertThat(a.interval()).isEqualTo(b.interval());
      assertThat(a.confidence()).isEqualTo(b.confidence());
      assertThat(a.topFeatures()).isEqualTo(b.topFeatures());
      assertThat(a.assumptions()).isEqualTo(b.assumptions());
    }
  }

  @Test
  void theEmbeddedDefaultModelABuiltInModelAndTheFallbackPredictAsWithTheInjector() {
    for (Map<String, String> values : List.of(Map.<String, String>of(), Map.of("model", "test-constant"),
        Map.of("fallback.decode_efficiency", "0.4", "artifact", "classpath:dev/tuner/none.json"),
        Map.of("model", TunerConfig.ROOFLINE_ONLY, "fallback.decode_efficiency", "0.4"))) {
      TunerConfig config = config(values);
      Injector injector = Guice.createInjector(new TunerModule(config));
      Predictor injected;
      try {
        injected = injector.getInstance(Predictor.class);
      } catch (com.google.inject.ProvisionException e) {
        assertThatThrownBy(() -> new DirectWiring(config).predictor())
            .isInstanceOf(e.getCause().getClass()).hasMessage(e.getCause().getMessage());
        continue;
      }
      assertSamePredictions(new DirectWiring(config).predictor(), injected);
    }
  }

  /** Without the default model (not on this module's class path) both fail alike; the CLI's tests load it. */
  @Test
  void aPrefetchOfTheMissingDefaultModelFailsAsWithTheInjector() {
    TunerConfig config = config(Map.of());
    Throwable injected = catchThrowable(() -> Guice.createInjector(new TunerModule(config,
        DefaultModelPrefetch.start())).getInstance(Predictor.class));
    assertThat(injected).isInstanceOf(com.google.inject.ProvisionException.class);
    assertThatThrownBy(() -> new DirectWiring(config, DefaultModelPrefetch.start()).predictor())
        .isInstanceOf(injected.getCause().getClass()).hasMessage(injected.getCause().getMessage())
        .hasMessageContaining("tuner-default-model");
  }

  @Test
  void eachObjectIsMadeOnceAndSharedAsTheInjectorsSingletonsAre() {
    DirectWiring w = new DirectWiring(config(Map.of("model", "test-constant")));
    Catalog catalog = w.catalog();
    assertThat(w.catalog()).isSameAs(catalog);
    assertThat(w.predictor()).isSameAs(w.predictor());
    assertThat(w.predictor().roofline()).isSameAs(w.roofline());
    assertThat(w.registry()).isSameAs(w.registry());
    assertThat(w.loader()).isSameAs(w.loader());
    assertThat(w.recommender()).isSameAs(w.recommender());
    assertThat(catalog.devices().entries()).hasSameSizeAs(
        Guice.createInjector(new TunerModule(config(Map.of()))).getInstance(Catalog.class).devices().entries());
    assertThat(w.registry().providers().keySet()).containsExactlyInAnyOrderElementsOf(
        Guice.createInjector(new TunerModule(config(Map.of()))).getInstance(ProviderRegistry.class)
            .providers().keySet());
  }

  @Test
  void aRecommendationIsTheInjectorsToo() {
    TunerConfig config = config(Map.of("model", "test-constant"));
    Recommender direct = new DirectWiring(config).recommender();
    Recommender injected = Guice.createInjector(new TunerModule(config)).getInstance(Recommender.class);
    RecommendRequest request = RecommendRequest.defaults(CATALOG.model("Llama 3 8B"), CATALOG.device("RTX 4090"),
        CATALOG);
    assertThat(direct.recommend(request).toString()).isEqualTo(injected.recommend(request).toString());
  }

  @Test
  void aFailureIsThrownAsItselfAndTriedAgainOnTheNextCall() {
    DirectWiring w = new DirectWiring(config(Map.of("plugins.dir", dir.resolve("missing").toString())));
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(w::registry).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("plugin directory");
    }
    DirectWiring bad = new DirectWiring(config(Map.of("artifact", dir.resolve("nothing.json").toString())));
    assertThatThrownBy(bad::predictor).isInstanceOf(ModelLoadException.class).hasMessageContaining("nothing.json");
  }
}
