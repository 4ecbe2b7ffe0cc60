package dev.tuner.api;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A model plugin, discovered with {@link java.util.ServiceLoader}: register the implementing class in
 * {@code META-INF/services/dev.tuner.api.ModelProvider}. It needs a public no-argument constructor that does no
 * heavy work (native libraries are loaded on first use, not at discovery).
 */
public interface ModelProvider {

  /**
   * Stable, unique id matching {@link TunerApi#PROVIDER_ID_PATTERN} (lower case), e.g. {@code linear}; artifacts name
   * it and configuration selects by it. The host refuses a provider whose id does not match.
   */
  String id();

  /** The provider's own version, e.g. {@code 1.2.0}. */
  String version();

  /** The {@link TunerApi#VERSION} this provider was built against, as {@code major.minor}. */
  String requiredApiVersion();

  /** One line for people: what kind of model this is. */
  default String description() {
    return id();
  }

  /**
   * Rebuilds a model from the payload this provider's trainer produced.
   *
   * @throws ModelLoadException when the payload is corrupt or inconsistent with its info
   */
  ThroughputModel load(ModelPayload payload);

  /**
   * A ready model this provider offers without any artifact (for example an analytic model) for the schema laid out
   * as given; empty when it has none for that schema. Configuration can select such a provider by id alone. The host
   * refuses a model whose schema or width differs from the layout's. The default asks
   * {@link #builtInModel(SchemaRef)}, which providers built against API 1.1 implement.
   *
   * @since 1.2
   */
  default Optional<ThroughputModel> builtInModel(FeatureLayout layout) {
    return builtInModel(layout.schema());
  }

  /**
   * The built-in model for a schema known by reference only; providers built against API 1.2 implement
   * {@link #builtInModel(FeatureLayout)} instead, which the host calls.
   */
  default Optional<ThroughputModel> builtInModel(SchemaRef schema) {
    return Optional.empty();
  }

  /** The trainer, if this provider can learn from data. */
  default Optional<ModelTrainer> trainer() {
    return Optional.empty();
  }

  /**
   * Whether this provider reads a foreign model file directly (for example an {@code .onnx} file exported from
   * another library). Decides from the name or the first bytes; must not load the model.
   */
  default boolean opensForeignFile(Path file) {
    return false;
  }

  /**
   * Opens a foreign model file. The declared schema and output kind come from the file when it carries them,
   * otherwise from {@code options}; when neither says, this throws {@link ModelLoadException} naming what is
   * missing.
   */
  default ThroughputModel openForeignFile(Path file, ForeignModelOptions options) {
    throw new ModelLoadException("provider " + id() + " does not open foreign model files such as " + file);
  }
}
