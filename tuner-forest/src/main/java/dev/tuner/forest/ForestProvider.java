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
 *
 * <p>Running a forest needs nothing but tuner-api. Smile (LGPL) is an optional dependency of this module, needed
 * only to train: a product that predicts does not carry it, and this provider offers its trainer only where Smile is
 * on the class path.
 */
public final class ForestProvider implements ModelProvider {
  public static final String ID = "forest";
  public static final String VERSION = "0.1.0";
  /** The Maven coordinates a user adds to train forests, for the messages that say so. */
  static final String SMILE = "com.github.haifengl:smile-core:2.6.0";

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
    return smilePresent()
        ? "random forest (Smile 2.6.0) with tree spread and path attributions"
        : "random forest with tree spread and path attributions; runs only: training needs " + SMILE
            + " on the class path";
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

  /** The trainer, where Smile is on the class path (see the class comment). */
  @Override
  public Optional<ModelTrainer> trainer() {
    return smilePresent() ? Optional.of(new ForestTrainer()) : Optional.empty();
  }

  /** Whether Smile's random forest can be loaded from this provider's class loader, without initialising it. */
  private static boolean smilePresent() {
    try {
      Class.forName("smile.regression.RandomForest", false, ForestProvider.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
