package dev.tuner.linear;

import dev.tuner.api.IncompatibleModelException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.ModelTrainer;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import java.util.Optional;

/**
 * Linear models of the encoded features: exact ridge by default, Tribuo's sparse and SGD solvers on request, with
 * whatever the solver leaves open chosen by cross-validation.
 */
public final class LinearProvider implements ModelProvider {

  public static final String ID = "linear";
  public static final String VERSION = "0.1.0";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public String requiredApiVersion() {
    return TunerApi.VERSION;
  }

  @Override
  public String description() {
    return "linear regression: exact ridge (Cholesky on Tribuo's linear algebra) or Tribuo's elastic net, LARS,"
        + " LASSO or SGD (solver=), penalties chosen by k-fold cross-validation";
  }

  /**
   * Rebuilds a model from its payload. The declared info supplies the model id and warnings; its schema, output
   * kind and feature count must match the payload's, and the properties are recomputed from the payload so that
   * they describe the weights actually loaded.
   */
  @Override
  public ThroughputModel load(ModelPayload payload) {
    ModelInfo declared = payload.info();
    if (!ID.equals(declared.providerId())) {
      throw new IncompatibleModelException("provider", ID, declared.providerId());
    }
    LinearPayload.checkSize(payload.size());
    LinearPayload content = LinearPayload.decode(payload.bytes(), declared.featureCount());
    if (!content.schema().equals(declared.schema())) {
      throw new IncompatibleModelException("linear payload schema", full(declared.schema()), full(content.schema()));
    }
    if (content.target() != declared.outputKind()) {
      throw new IncompatibleModelException(
          "linear payload output kind", declared.outputKind().id(), content.target().id());
    }
    return new LinearModel(declared.withProperties(content.properties()), content);
  }

  /** The whole hash: {@link SchemaRef#toString()} abbreviates it, which could hide where two schemas differ. */
  private static String full(SchemaRef schema) {
    return schema.id() + "@" + schema.hash();
  }

  @Override
  public Optional<ModelTrainer> trainer() {
    return Optional.of(new RidgeTrainer());
  }
}
