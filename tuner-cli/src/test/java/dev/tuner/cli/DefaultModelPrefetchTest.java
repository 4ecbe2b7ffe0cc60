package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.ConfigLoader;
import dev.tuner.core.config.DefaultModelPrefetch;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.config.TunerModule;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line reads the embedded model ahead of need; what it then predicts with must not change. */
class DefaultModelPrefetchTest {
  @Test
  void aPrefetchedDefaultModelIsTheSameModelWithTheSameAnswers() {
    Predictor plain = Guice.createInjector(new TunerModule(TunerConfig.defaults())).getInstance(Predictor.class);
    Predictor prefetched = Guice.createInjector(new TunerModule(TunerConfig.defaults(), DefaultModelPrefetch.start()))
        .getInstance(Predictor.class);
    assertThat(prefetched.isFallback()).isFalse();
    assertThat(prefetched.model().id()).isEqualTo(plain.model().id());
    assertThat(prefetched.model().header().orElseThrow().created())
        .isEqualTo(plain.model().header().orElseThrow().created());
    assertThat(prefetched.model().calibration().decodeScores()).isEqualTo(plain.model().calibration().decodeScores());
    Catalog catalog = Catalog.shipped();
    for (String device : new String[] {"RTX 4090", "H100 SXM5 80GB", "M2 Max (30-core GPU)"}) {
      Scenario s = ScenarioRequest.of("Llama 3 8B", device, "Q4_K_M", 4, 2048, "decode").resolve(catalog);
      ThroughputPrediction a = plain.predict(s);
      ThroughputPrediction b = prefetched.predict(s);
      assertThat(b).isEqualTo(a);
    }
  }

  /** With a plugin directory the module's providers are not the class path's alone, so it loads the model itself. */
  @Test
  void withAPluginDirectoryThePrefetchedArtifactIsLoadedByTheModulesProviders(@TempDir Path plugins) {
    TunerConfig config =
        ConfigLoader.load(Optional.empty(), new Properties(), Map.of("plugins.dir", plugins.toString()));
    Predictor plain = Guice.createInjector(new TunerModule(config)).getInstance(Predictor.class);
    Predictor prefetched = Guice.createInjector(new TunerModule(config, DefaultModelPrefetch.start()))
        .getInstance(Predictor.class);
    Scenario s =
        ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q8_0", 16, 1024, "prefill").resolve(Catalog.shipped());
    assertThat(prefetched.predict(s)).isEqualTo(plain.predict(s));
  }

  @Test
  void aConfiguredModelLeavesThePrefetchUnused() {
    TunerConfig config = ConfigLoader.load(Optional.empty(), new Properties(), Map.of("model", "linear"));
    assertThatThrownBy(() -> Guice.createInjector(new TunerModule(config, DefaultModelPrefetch.start()))
        .getInstance(Predictor.class)).hasRootCauseInstanceOf(dev.tuner.api.InvalidInputException.class)
        .rootCause().hasMessageContaining("built-in model");
  }

  @Test
  void onlyCommandsThatPredictWithTheDefaultModelStartAPrefetch() {
    assertThat(TunerCli.usesDefaultModel(new String[] {"predict", "--model", "Llama 3 8B"})).isTrue();
    assertThat(TunerCli.usesDefaultModel(new String[] {"--debug", "recommend", "--device", "RTX 4090"})).isTrue();
    assertThat(TunerCli.usesDefaultModel(new String[] {"predict", "--model-file", "m.onnx"})).isFalse();
    assertThat(TunerCli.usesDefaultModel(new String[] {"--model-file=m.json", "predict"})).isFalse();
    assertThat(TunerCli.usesDefaultModel(new String[] {"predict", "--help"})).isFalse();
    assertThat(TunerCli.usesDefaultModel(new String[] {"help", "predict"})).isFalse();
    assertThat(TunerCli.usesDefaultModel(new String[] {"catalog", "devices"})).isFalse();
    assertThat(TunerCli.usesDefaultModel(new String[] {"train", "--data", "predict.csv"})).isFalse();
  }
}
