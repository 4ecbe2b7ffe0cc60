package dev.tuner.cli;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.ConfigLoader;
import dev.tuner.core.config.DefaultModelPrefetch;
import dev.tuner.core.config.DirectWiring;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.io.FileChecks;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.recommend.Recommender;
import dev.tuner.core.roofline.Roofline;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What one invocation of {@code tuner} works with: the layered configuration and the objects {@code TunerModule}
 * wires from it, made by the module's provider methods through {@link DirectWiring} rather than a Guice injector,
 * whose set-up costs a short command more than the objects it provides. All are made on first use, so a command that
 * needs no model (such as {@code catalog}) never loads one; the configuration comes first, as the injector's did, so
 * a bad configuration is reported before anything else.
 */
final class Session {
  private final Optional<Path> configFile;
  private final Properties system;
  private final Map<String, String> overrides;
  private final Optional<DefaultModelPrefetch> prefetch;
  private TunerConfig config;
  private DirectWiring wiring;

  Session(Optional<Path> configFile, Properties system, Map<String, String> overrides,
      Optional<DefaultModelPrefetch> prefetch) {
    this.configFile = configFile;
    this.system = system;
    this.overrides = Map.copyOf(overrides);
    this.prefetch = prefetch;
  }

  TunerConfig config() {
    if (config == null) {
      config = ConfigLoader.load(configFile, system, overrides);
    }
    return config;
  }

  private DirectWiring wiring() {
    if (wiring == null) {
      wiring = prefetch.isPresent() ? new DirectWiring(config(), prefetch.get()) : new DirectWiring(config());
    }
    return wiring;
  }

  Predictor predictor() {
    requireArtifactFile();
    return wiring().predictor();
  }

  Recommender recommender() {
    requireArtifactFile();
    return wiring().recommender();
  }

  /**
   * A model file the configuration names that is not there is a bad value (exit 2), as it is when --model-file names
   * it (FilePlan); the loader would report it as a model that cannot be loaded (exit 1).
   */
  private void requireArtifactFile() {
    config().artifact().filter(a -> !TunerCli.namesEmbeddedModel(a))
        .ifPresent(a -> FileChecks.requireReadableFile("tuner.artifact", Path.of(a)));
  }

  Catalog catalog() {
    return wiring().catalog();
  }

  Roofline roofline() {
    return wiring().roofline();
  }

  ProviderRegistry registry() {
    return wiring().registry();
  }

  ModelLoader loader() {
    return wiring().loader();
  }
}
