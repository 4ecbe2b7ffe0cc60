package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.DefaultModelPrefetch;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.config.TunerModule;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import org.junit.jupiter.api.Test;

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
