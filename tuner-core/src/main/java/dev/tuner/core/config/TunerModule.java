package dev.tuner.core.config;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.ThroughputModel;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.predict.RooflineOnlyModel;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Wires the whole pipeline from a {@link TunerConfig}: {@code Guice.createInjector(new TunerModule(config))
 * .getInstance(Predictor.class)}.
 *
 * <p>Model choice: an explicit artifact is loaded (and must belong to {@code model} when both are set); an explicit
 * {@code model} without artifact uses that provider's built-in model, and {@code model: roofline-only}
 * ({@link TunerConfig#ROOFLINE_ONLY}) the roofline-only predictor, which says so in every prediction. With neither,
 * the default model (resource {@link TunerConfig#DEFAULT_MODEL_RESOURCE}, Maven artifact
 * {@code dev.tuner:tuner-default-model}) is loaded. Every failure is an error: a product that forgot the default
 * model's artifact, or its provider's, learns it at start-up instead of silently predicting from the roofline alone.
 */
public final class TunerModule extends AbstractModule {
  static final String DEFAULT_MODEL_SOURCE = "embedded default model";
  /** What the user can do when the default model is missing or cannot be loaded. */
  static final String DEFAULT_MODEL_REMEDY = "depend on dev.tuner:tuner-default-model and the providers of its model "
      + "(tuner-core, tuner-forest and tuner-linear), configure tuner.model or tuner.artifact, or set tuner.model="
      + TunerConfig.ROOFLINE_ONLY + " to predict from the roofline alone";

  private final TunerConfig config;
  private final Optional<DefaultModelPrefetch> prefetch;

  public TunerModule(TunerConfig config) {
    this(config, Optional.empty());
  }

  /**
   * Like {@link #TunerModule(TunerConfig)}, taking the embedded default model from {@code prefetch} when the
   * configuration chooses it (and leaving it unused otherwise).
   */
  public TunerModule(TunerConfig config, DefaultModelPrefetch prefetch) {
    this(config, Optional.of(prefetch));
  }

  private TunerModule(TunerConfig config, Optional<DefaultModelPrefetch> prefetch) {
    this.config = config;
    this.prefetch = prefetch;
  }

  @Override
  protected void configure() {
    bind(TunerConfig.class).toInstance(config);
  }

  @Provides
  @Singleton
  Catalog catalog() {
    return config.catalogs().isEmpty() ? Catalog.shipped()
        : dev.tuner.core.catalog.UserCatalogs.layer(Catalog.shipped(), config.catalogs());
  }

  @Provides
  @Singleton
  Roofline roofline(Catalog catalog) {
    return new Roofline(catalog);
  }

  @Provides
  @Singleton
  ProviderRegistry registry() {
    return ProviderRegistry.discover(TunerModule.class.getClassLoader(), config.pluginDir());
  }

  @Provides
  @Singleton
  ModelLoader loader(ProviderRegistry registry) {
    return new ModelLoader(registry, new ArtifactCodec());
  }

  @Provides
  @Singleton
  Predictor predictor(ModelLoader loader, ProviderRegistry registry, Roofline roofline) {
    FeatureSchema schema = FeatureSchemas.byId(config.schema());
    Optional<LoadedModel> chosen = choose(loader, registry, schema);
    if (chosen.isPresent()) {
      requireSchemaTakesEffect(chosen.get());
      return new Predictor(chosen.get(), roofline, config.intervalLevel(), false);
    }
    RooflineOnlyModel fallback = new RooflineOnlyModel(schema, "roofline-only", config.fallbackDecodeEfficiency(),
        config.fallbackPrefillEfficiency());
    return new Predictor(new LoadedModel(fallback, schema, Calibration.none(schema.width()), Optional.empty()),
        roofline, config.intervalLevel(), true);
  }

  private Optional<LoadedModel> choose(ModelLoader loader, ProviderRegistry registry, FeatureSchema schema) {
    boolean explicitArtifact =
        config.artifact().isPresent() && !config.artifact().get().equals(TunerConfig.DEFAULT_ARTIFACT);
    if (explicitArtifact || config.model().isPresent()) {
      prefetch.ifPresent(DefaultModelPrefetch::discard);
    }
    if (explicitArtifact) {
      LoadedModel m = open(loader, config.artifact().get());
      config.model().ifPresent(id -> {
        if (!id.equals(m.model().info().providerId())) {
          throw new ModelLoadException("configured model provider \"" + id + "\" but artifact "
              + config.artifact().get() + " belongs to provider \"" + m.model().info().providerId() + "\"");
        }
      });
      return Optional.of(m);
    }
    if (config.model().isPresent() && config.model().get().equals(TunerConfig.ROOFLINE_ONLY)) {
      return Optional.empty();
    }
    if (config.model().isPresent()) {
      ModelProvider p = registry.require(config.model().get());
      SchemaRef ref = schema.ref();
      ThroughputModel m = p.builtInModel(schema.layout()).orElseThrow(() -> new InvalidInputException(
          "tuner.model", config.model().get(), "a provider with a built-in model for schema " + ref
              + ", or an artifact given with tuner.artifact"));
      try {
        ModelLoader.requireInputs(m, schema, "built-in model of provider " + p.id());
      } catch (RuntimeException e) {
        m.close();
        throw e;
      }
      return Optional.of(new LoadedModel(m, schema, Calibration.none(schema.width()), Optional.empty()));
    }
    if (TunerModule.class.getClassLoader().getResource(TunerConfig.DEFAULT_MODEL_RESOURCE) == null) {
      throw missingDefaultModel();
    }
    try {
      if (prefetch.isPresent()) {
        ModelArtifact artifact = prefetch.get().artifact().orElseThrow(TunerModule::missingDefaultModel);
        // the prefetch loaded it with the providers of the class path, which are this module's own unless a
        // plugin directory adds others
        Optional<LoadedModel> ready = config.pluginDir().isEmpty() ? prefetch.get().model() : Optional.empty();
        return Optional.of(ready.orElseGet(() -> loader.fromArtifact(artifact, DEFAULT_MODEL_SOURCE)));
      }
      InputStream in = TunerModule.class.getClassLoader().getResourceAsStream(TunerConfig.DEFAULT_MODEL_RESOURCE);
      if (in == null) {
        throw missingDefaultModel();
      }
      return Optional.of(loader.open(in, DEFAULT_MODEL_SOURCE));
    } catch (ModelLoadException e) {
      throw new ModelLoadException("the default model (" + TunerConfig.DEFAULT_MODEL_RESOURCE + ") cannot be loaded: "
          + e.getMessage() + "; " + DEFAULT_MODEL_REMEDY, e);
    }
  }

  /**
   * A trained model's features are fixed, so the schema key cannot change them: a schema other than the default that
   * the model in use does not have was asked for in vain, and is refused rather than ignored.
   */
  private void requireSchemaTakesEffect(LoadedModel chosen) {
    String wanted = config.schema();
    String has = chosen.schema().id();
    if (!wanted.equals(FeatureSchemas.TUNER_V1) && !wanted.equals(has)) {
      throw new InvalidInputException("tuner.schema", wanted, "the schema of the model in use (" + has + ", model "
          + chosen.id() + "): the schema key chooses the features of built-in models and of the roofline-only"
          + " fallback, and a trained model keeps the schema it was trained with (train one with schema " + wanted
          + ", or leave the key out)");
    }
  }

  private static ModelLoadException missingDefaultModel() {
    return new ModelLoadException("no model is configured and the default model (" + TunerConfig.DEFAULT_MODEL_RESOURCE
        + ") is not on the class path: " + DEFAULT_MODEL_REMEDY);
  }

  private LoadedModel open(ModelLoader loader, String location) {
    if (location.startsWith("classpath:")) {
      String resource = location.substring("classpath:".length());
      InputStream in = TunerModule.class.getClassLoader().getResourceAsStream(resource);
      if (in == null) {
        throw new ModelLoadException("model resource " + resource + " is not on the class path");
      }
      return loader.open(in, location);
    }
    ForeignModelOptions options = new ForeignModelOptions(
        config.foreignSchema().map(id -> FeatureSchemas.byId(id).ref()), config.foreignOutputKind(),
        config.onnxThreads(), config.onnxLogLevel());
    return loader.open(Path.of(location), options);
  }
}
