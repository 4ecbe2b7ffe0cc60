package dev.tuner.forest;

import dev.tuner.api.IncompatibleModelException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ModelTrainer;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code forest} provider: random-forest regression trained with Smile 2.6.0 and run from flat arrays, with a
 * per-input spread (standard deviation across trees) and per-prediction attributions.
 */
public final class ForestProvider implements ModelProvider {
  public static final String ID = "forest";
  public static final String VERSION = "0.1.0";

  public ForestProvider() {}

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
    return "random forest (Smile 2.6.0) with tree spread and path attributions";
  }

  @Override
  public ThroughputModel load(ModelPayload payload) {
    Objects.requireNonNull(payload, "payload");
    if (!ID.equals(payload.info().providerId())) {
      throw new IncompatibleModelException("provider", ID, payload.info().providerId());
    }
    byte[] bytes = payload.bytes();
    ForestPayload.Contents contents = ForestPayload.read(bytes, payload.info().featureCount());
    return ForestModel.of(contents, bytes, payload.info().schema(), payload.info().outputKind());
  }

  @Override
  public Optional<ModelTrainer> trainer() {
    return Optional.of(new ForestTrainer());
  }
}
