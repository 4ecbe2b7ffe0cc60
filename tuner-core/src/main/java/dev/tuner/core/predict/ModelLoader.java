package dev.tuner.core.predict;

import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.IncompatibleModelException;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import dev.tuner.api.TunerException;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens models: tuner artifacts (checked for format, integrity, API version and schema before the provider sees the
 * payload) and foreign files a provider claims (such as {@code .onnx}).
 */
public final class ModelLoader {
  private final ProviderRegistry registry;
  private final ArtifactCodec codec;

  public ModelLoader(ProviderRegistry registry, ArtifactCodec codec) {
    this.registry = registry;
    this.codec = codec;
  }

  /** Opens a tuner artifact or a foreign model file. */
  public LoadedModel open(Path file, ForeignModelOptions foreignOptions) {
    for (ModelProvider p : registry.providers().values()) {
      if (p.opensForeignFile(file)) {
        ThroughputModel m = p.openForeignFile(file, foreignOptions);
        try {
          FeatureSchema schema = checkSchema(m.info(), file.toString());
          return new LoadedModel(m, schema, Calibration.none(schema.width()), Optional.empty());
        } catch (RuntimeException e) {
          m.close();
          throw e;
        }
      }
    }
    return fromArtifact(codec.read(file), file.toString());
  }

  /** Opens a tuner artifact from a stream (e.g. a class-path resource). */
  public LoadedModel open(InputStream in, String source) {
    return fromArtifact(codec.read(in, source), source);
  }

  public LoadedModel fromArtifact(ModelArtifact artifact, String source) {
    ArtifactHeader h = artifact.header();
    boolean compatible;
    try {
      compatible = TunerApi.isCompatible(h.apiVersion());
    } catch (InvalidInputException e) {
      throw new ModelLoadException("model " + source + " declares API version \"" + h.apiVersion()
          + "\", which is not of the form major.minor", e);
    }
    if (!compatible) {
      throw new IncompatibleModelException("API version of " + source, "tuner API " + TunerApi.VERSION,
          "tuner API " + h.apiVersion());
    }
    ModelInfo info = new ModelInfo(h.modelId(), h.providerId(), h.schema(), h.outputKind(), h.featureCount(),
        h.properties(), java.util.List.of());
    FeatureSchema schema = checkSchema(info, source);
    ModelProvider provider;
    try {
      provider = registry.require(h.providerId());
    } catch (TunerException e) {
      throw new ModelLoadException("model " + source + " needs provider \"" + h.providerId() + "\": "
          + e.getMessage(), e);
    }
    ThroughputModel model = provider.load(new ModelPayload(info, artifact.payload(), schema.layout()));
    try {
      requireInputs(model, schema, "model " + source + " (provider " + h.providerId() + ")");
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return new LoadedModel(model, schema, h.calibration(), Optional.of(h));
  }

  /**
   * Refuses a model, however it was made (loaded, built in or opened from a foreign file), whose declared schema or
   * input width is not {@code schema}'s: the encoder fills exactly {@code schema.width()} slots in its order.
   */
  public static void requireInputs(ThroughputModel model, FeatureSchema schema, String what) {
    ModelInfo info = model.info();
    if (!info.schema().equals(schema.ref()) || info.featureCount() != schema.width()) {
      throw new ModelLoadException(what + " built a model reading " + info.schema() + " with "
          + info.featureCount() + " inputs, but the schema is " + schema.ref() + " with " + schema.width());
    }
  }

  /** The shipped schema the model declares; refuses an unknown id or a different hash, naming both. */
  static FeatureSchema checkSchema(ModelInfo info, String source) {
    FeatureSchema known;
    try {
      known = FeatureSchemas.byId(info.schema().id());
    } catch (TunerException e) {
      throw new IncompatibleModelException("feature schema of " + source,
          "one of " + FeatureSchemas.ids(),
          info.schema().toString());
    }
    if (!known.hash().equals(info.schema().hash())) {
      throw new IncompatibleModelException("feature schema of " + source, known.ref() + " (hash " + known.hash()
          + ")", info.schema() + " (hash " + info.schema().hash() + ")");
    }
    if (info.featureCount() != known.width()) {
      throw new IncompatibleModelException("feature count of " + source, known.width() + " features of schema "
          + known.id(), info.featureCount() + " features");
    }
    return known;
  }
}
