package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.inject.Guice;
import dev.tuner.api.FeatureLayout;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.api.TunerApi;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.config.TunerModule;
import dev.tuner.core.learn.ArtifactWriter;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin guide's promise, end to end: the example plugin, packed into a jar as a third party ships it, is found
 * in a plugin directory, selected by configuration and used for predictions. Its classes are deliberately not on
 * this module's class path (the pom depends on it with type pom, only to build it first).
 */
class ExamplePluginJarTest {
  private static final String PROVIDER_CLASS = "dev.tuner.example.ExampleProvider";
  private static final String ID = "example-efficiency";
  private static final Catalog CATALOG = Catalog.shipped();
  private static final Scenario DECODE =
      ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 4, 1024, "decode").resolve(CATALOG);

  @TempDir
  Path pluginDir;

  @BeforeEach
  void packTheExamplePluginIntoAJar() throws IOException {
    // surefire runs in the module's base directory
    Path classes = Path.of("").toAbsolutePath().resolve("../examples/tuner-example-plugin/target/classes")
        .normalize();
    assertThat(classes.resolve("dev/tuner/example/ExampleProvider.class"))
        .as("the example plugin is compiled before tuner-cli's tests (mvn -pl ... -am builds it)").exists();
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
    try (JarOutputStream jar = new JarOutputStream(
        Files.newOutputStream(pluginDir.resolve("tuner-example-plugin.jar")), manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, jar);
        jar.closeEntry();
      }
    }
  }

  @Test
  void theProviderIsNotOnTheTestClassPath() {
    assertThatThrownBy(() -> Class.forName(PROVIDER_CLASS)).isInstanceOf(ClassNotFoundException.class);
    assertThat(ProviderRegistry.discover(getClass().getClassLoader()).find(ID)).isEmpty();
  }

  @Test
  void theJarIsDiscoveredFromThePluginDirectory() {
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), Optional.of(pluginDir));
    ModelProvider p = registry.require(ID);
    assertThat(p.getClass().getName()).isEqualTo(PROVIDER_CLASS);
    // loaded by the plugin directory's class loader, seeing tuner's API through its parent
    assertThat(p.getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
    assertThat(p.version()).isEqualTo("1.0.0");
    assertThat(p.requiredApiVersion()).isEqualTo(TunerApi.VERSION);
    assertThat(registry.problems()).noneMatch(problem -> problem.provider().contains("example"));
    assertThat(p.builtInModel(FeatureSchemas.tunerV1().layout())).isPresent();
  }

  /** The plugin reads its slot and width from the layout it is given, so every schema with the flag serves it. */
  @Test
  void theBuiltInModelFindsItsSlotInWhicheverSchemaItIsGiven() {
    ModelProvider p = ProviderRegistry.discover(getClass().getClassLoader(), Optional.of(pluginDir)).require(ID);
    for (var schema : List.of(FeatureSchemas.tunerV1(), FeatureSchemas.tunerV2(), FeatureSchemas.referenceV1())) {
      try (ThroughputModel m = p.builtInModel(schema.layout()).orElseThrow()) {
        assertThat(m.info().featureCount()).isEqualTo(schema.width());
        assertThat(m.info().schema()).isEqualTo(schema.ref());
        float[] prefill = new float[schema.width()];
        prefill[schema.indexOf("is_prefill")] = 1f;
        assertThat(m.predict(prefill)).isCloseTo(Math.log(0.4), within(1e-12));
        assertThat(m.predict(new float[schema.width()])).isCloseTo(Math.log(0.7), within(1e-12));
      }
    }
    assertThat(p.builtInModel(FeatureLayout.positional(FeatureSchemas.tunerV1().ref(), 43))).isEmpty();
  }

  @Test
  void selectedByConfigurationItPredictsItsFractionOfTheRoofline() {
    TunerConfig config = TunerConfig.defaults().withModel(ID).withPluginDir(pluginDir);
    Predictor predictor = Guice.createInjector(new TunerModule(config)).getInstance(Predictor.class);
    assertThat(predictor.isFallback()).isFalse();
    assertThat(predictor.model().model().info().providerId()).isEqualTo(ID);
    assertThat(predictor.model().model().info().outputKind()).isEqualTo(OutputKind.LOG_ROOFLINE_FRACTION);

    ThroughputPrediction decode = predictor.predict(DECODE);
    assertThat(decode.rooflineTokensPerSecond()).isEqualTo(predictor.roofline().compute(DECODE).tokensPerSecond());
    assertThat(decode.tokensPerSecond()).isCloseTo(0.7 * decode.rooflineTokensPerSecond(),
        within(1e-9 * decode.rooflineTokensPerSecond()));
    assertThat(decode.rawOutput()).isCloseTo(Math.log(0.7), within(1e-12));
    assertThat(decode.capped()).isFalse();
    assertThat(decode.modelId()).isEqualTo(ID + "-builtin");

    ThroughputPrediction prefill = predictor.predict(DECODE.withPhase(Phase.PREFILL));
    assertThat(prefill.tokensPerSecond()).isCloseTo(0.4 * prefill.rooflineTokensPerSecond(),
        within(1e-9 * prefill.rooflineTokensPerSecond()));
  }

  /** A third party's artifact is read by the plugin from the same jar, selected by the artifact alone. */
  @Test
  void anArtifactOfThePluginIsLoadedFromItsJar() throws IOException {
    var schema = FeatureSchemas.tunerV1();
    ArtifactHeader header = new ArtifactHeader(ArtifactCodec.FORMAT_VERSION, TunerApi.VERSION, "example-tuned", ID,
        "1.0.0", schema.ref(), OutputKind.LOG_ROOFLINE_FRACTION, schema.width(), Map.of(), 1L,
        new ArtifactHeader.TrainingData(List.of(), "0".repeat(64), 0, List.of()), null,
        Calibration.none(schema.width()), Map.of(), "2025-01-01T00:00:00Z", Map.of());
    byte[] payload = "decode_efficiency=0.5\nprefill_efficiency=0.2\n".getBytes(StandardCharsets.UTF_8);
    Path models = Files.createDirectory(pluginDir.resolve("models"));
    Path artifact = models.resolve("example.json");
    try (OutputStream out = Files.newOutputStream(artifact)) {
      out.write(new ArtifactWriter().encode(new ModelArtifact(header, payload)));
    }
    TunerConfig config = TunerConfig.defaults().withPluginDir(pluginDir).withArtifact(artifact.toString());
    Predictor predictor = Guice.createInjector(new TunerModule(config)).getInstance(Predictor.class);
    ThroughputPrediction p = predictor.predict(DECODE);
    assertThat(p.modelId()).isEqualTo("example-tuned");
    assertThat(p.tokensPerSecond()).isCloseTo(0.5 * p.rooflineTokensPerSecond(),
        within(1e-9 * p.rooflineTokensPerSecond()));
  }
}
