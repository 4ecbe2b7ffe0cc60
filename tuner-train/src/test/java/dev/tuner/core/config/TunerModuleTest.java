package dev.tuner.core.config;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.Fixtures;
import dev.tuner.core.artifact.TestArtifacts;
import dev.tuner.core.learn.ArtifactWriter;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Guice wiring, driven by configuration only. The test provider is named by its id in YAML text and never by
 * its class: it is found through src/test/resources/META-INF/services, as a third-party plugin would be.
 */
class TunerModuleTest {
  private static final Scenario DECODE =
      ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);

  @TempDir
  Path dir;

  private Predictor predictorFromYaml(String yaml) throws IOException {
    Path f = dir.resolve("tuner.yaml");
    Files.writeString(f, yaml);
    TunerConfig config = ConfigLoader.load(Optional.of(f), new Properties(), Map.of());
    return Guice.createInjector(new TunerModule(config)).getInstance(Predictor.class);
  }

  /** Guice wraps what a provider method throws; the cause is what the user must see. */
  private static void assertProvisionFails(ThrowingCallable call, Class<? extends Throwable> cause,
      String... message) {
    assertThatThrownBy(call).isInstanceOf(ProvisionException.class)
        .cause().isInstanceOf(cause).hasMessageContainingAll(message);
  }

  @Test
  void aProviderOnTheClassPathIsSelectedByConfigurationAlone() throws IOException {
    Predictor p = predictorFromYaml("model: test-constant\n");
    assertThat(p.isFallback()).isFalse();
    assertThat(p.model().model().info().providerId()).isEqualTo("test-constant");
    assertThat(p.model().id()).isEqualTo("test-constant-half");
    ThroughputPrediction out = p.predict(DECODE);
    assertThat(out.modelId()).isEqualTo("test-constant-half");
    // the test provider's built-in model predicts ln 0.5 as a log roofline fraction
    assertThat(out.tokensPerSecond()).isCloseTo(0.5 * out.rooflineTokensPerSecond(),
        within(1e-9 * out.rooflineTokensPerSecond()));
    assertThat(out.assumptions()).noneSatisfy(a -> assertThat(a).contains("roofline-only"));
  }

  @Test
  void aSystemPropertySelectsTheProviderToo() {
    Properties system = new Properties();
    system.setProperty("tuner.model", "test-constant");
    TunerConfig config = ConfigLoader.load(Optional.empty(), system, Map.of());
    Injector injector = Guice.createInjector(new TunerModule(config));
    assertThat(injector.getInstance(Predictor.class).model().id()).isEqualTo("test-constant-half");
    // the pipeline is built once per injector
    assertThat(injector.getInstance(Predictor.class)).isSameAs(injector.getInstance(Predictor.class));
    assertThat(injector.getInstance(Roofline.class)).isSameAs(injector.getInstance(Predictor.class).roofline());
  }

  /** A product that forgot the default model's artifact learns it at start-up, not from worse predictions. */
  @Test
  void withNothingConfiguredAndNoDefaultModelTheErrorSaysWhatToAdd() {
    assertThat(getClass().getClassLoader().getResource(TunerConfig.DEFAULT_MODEL_RESOURCE))
        .as("no default model on this module's test class path").isNull();
    assertProvisionFails(() -> Guice.createInjector(new TunerModule(TunerConfig.defaults()))
        .getInstance(Predictor.class), ModelLoadException.class, "no model is configured",
        TunerConfig.DEFAULT_MODEL_RESOURCE, "dev.tuner:tuner-default-model", "tuner.model=roofline-only");
  }

  @Test
  void theRooflineOnlyPredictorIsChosenExplicitlyNeverThrowsAndSaysSo() throws IOException {
    Predictor p = predictorFromYaml("model: roofline-only\n");
    assertThat(p.isFallback()).isTrue();
    SplittableRandom r = new SplittableRandom(2024);
    for (int n = 0; n < 1000; n++) {
      ThroughputPrediction out = p.predict(Fixtures.answerableBy(p, Fixtures.random(r)));
      assertThat(out.modelId()).isEqualTo("roofline-only");
      assertThat(out.tokensPerSecond()).isBetween(0.0, out.rooflineTokensPerSecond());
      assertThat(out.assumptions()).anySatisfy(a -> assertThat(a).contains("roofline-only prediction, no trained model"));
    }
  }

  /** A prefetch decides nothing: without the resource it leads to the same error as reading it would. */
  @Test
  void aPrefetchOfAMissingDefaultModelEndsAsReadingItWould() throws IOException {
    assertProvisionFails(() -> Guice.createInjector(new TunerModule(TunerConfig.defaults(),
        DefaultModelPrefetch.start())).getInstance(Predictor.class), ModelLoadException.class,
        TunerConfig.DEFAULT_MODEL_RESOURCE, "not on the class path");
    Path f = dir.resolve("default.yaml");
    Files.writeString(f, "artifact: default\n");
    TunerConfig config = ConfigLoader.load(Optional.of(f), new Properties(), Map.of());
    assertProvisionFails(() -> Guice.createInjector(new TunerModule(config, DefaultModelPrefetch.start()))
        .getInstance(Predictor.class), ModelLoadException.class, TunerConfig.DEFAULT_MODEL_RESOURCE,
        "not on the class path");
  }

  @Test
  void theFallbackUsesTheConfiguredEfficiencies() throws IOException {
    Predictor p = predictorFromYaml("model: roofline-only\nfallback:\n  decode_efficiency: 0.5\n  prefill_efficiency: 0.25\n");
    ThroughputPrediction d = p.predict(DECODE);
    ThroughputPrediction f = p.predict(DECODE.withPhase(dev.tuner.core.scenario.Phase.PREFILL));
    assertThat(d.tokensPerSecond()).isCloseTo(0.5 * d.rooflineTokensPerSecond(), within(1e-6));
    assertThat(f.tokensPerSecond()).isCloseTo(0.25 * f.rooflineTokensPerSecond(), within(1e-6));
    assertThat(d.assumptions()).anySatisfy(a -> assertThat(a).contains("0.5000 of the roofline"));
  }

  @Test
  void anExplicitArtifactIsLoadedThroughItsProvider() throws IOException {
    Path model = dir.resolve("model.json");
    new ArtifactWriter().write(TestArtifacts.artifact(TestArtifacts.header(), Math.log(0.25)), model, false);
    Predictor p = predictorFromYaml("artifact: " + model + "\nmodel: test-constant\n");
    assertThat(p.model().header()).isPresent();
    ThroughputPrediction out = p.predict(DECODE);
    assertThat(out.tokensPerSecond()).isCloseTo(0.25 * out.rooflineTokensPerSecond(), within(1e-6));
    assertThat(out.modelId()).isEqualTo("test-model-1");
  }

  @Test
  void anArtifactOfAnotherProviderThanTheConfiguredOneIsRefused() throws IOException {
    Path model = dir.resolve("model.json");
    new ArtifactWriter().write(TestArtifacts.artifact(), model, false);
    assertProvisionFails(() -> predictorFromYaml("artifact: " + model + "\nmodel: test-duplicate\n"),
        ModelLoadException.class, "test-duplicate", "belongs to provider \"test-constant\"");
  }

  @Test
  void anExplicitBadArtifactPathIsAClearModelLoadException() throws IOException {
    Path missing = dir.resolve("no-such-model.json");
    assertProvisionFails(() -> predictorFromYaml("artifact: " + missing + "\n"), ModelLoadException.class,
        missing.toString(), "does not exist");
    Path garbage = dir.resolve("garbage.json");
    Files.writeString(garbage, "this is not a model");
    assertProvisionFails(() -> predictorFromYaml("artifact: " + garbage + "\n"), ModelLoadException.class,
        garbage.toString(), "not a tuner model artifact");
    assertProvisionFails(() -> predictorFromYaml("artifact: classpath:models/none.json\n"),
        ModelLoadException.class, "models/none.json", "not on the class path");
    assertProvisionFails(() -> predictorFromYaml("artifact: default\n"), ModelLoadException.class,
        TunerConfig.DEFAULT_MODEL_RESOURCE, "not on the class path");
  }

  @Test
  void anUnknownOrModellessProviderIsAnErrorSayingWhatIsAvailable() throws IOException {
    assertProvisionFails(() -> predictorFromYaml("model: nope\n"), InvalidInputException.class,
        "nope", "test-constant");
    // test-duplicate exists but offers no built-in model
    assertProvisionFails(() -> predictorFromYaml("model: test-duplicate\n"), InvalidInputException.class,
        "test-duplicate", "built-in model", "tuner.artifact");
  }

  @Test
  void aMissingPluginDirectoryIsAnError() {
    TunerConfig config = TunerConfig.defaults().withPluginDir(dir.resolve("absent"));
    assertProvisionFails(() -> Guice.createInjector(new TunerModule(config)).getInstance(Predictor.class),
        InvalidInputException.class, "plugin directory", "absent");
  }
}
