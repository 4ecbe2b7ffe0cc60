package dev.tuner.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.ConfigLoader;
import dev.tuner.core.config.DefaultModelPrefetch;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.config.TunerModule;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.recommend.Recommender;
import dev.tuner.core.roofline.Roofline;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What one invocation of {@code tuner} works with: the layered configuration and the Guice injector built from it.
 * Both are made on first use, so a command that needs no model (such as {@code catalog}) never loads one.
 */
final class Session {
  private final Optional<Path> configFile;
  private final Properties system;
  private final Map<String, String> overrides;
  private final Optional<DefaultModelPrefetch> prefetch;
  private TunerConfig config;
  private Injector injector;

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

  Injector injector() {
    if (injector == null) {
      injector = Guice.createInjector(prefetch.isPresent()
          ? new TunerModule(config(), prefetch.get())
          : new TunerModule(config()));
    }
    return injector;
  }

  Predictor predictor() {
    return injector().getInstance(Predictor.class);
  }

  Recommender recommender() {
    return injector().getInstance(Recommender.class);
  }

  Catalog catalog() {
    return injector().getInstance(Catalog.class);
  }

  Roofline roofline() {
    return injector().getInstance(Roofline.class);
  }

  ProviderRegistry registry() {
    return injector().getInstance(ProviderRegistry.class);
  }
}
