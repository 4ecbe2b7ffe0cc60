package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.predict.RooflineOnlyModel;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import dev.tuner.core.schema.Quantity;
import java.util.stream.Collectors;

/**
 * Refuses a run setting that the loaded model cannot see. A setting reaches a prediction only through a feature of
 * the model's schema (none of these changes the roofline), so with a model whose schema lacks that feature, or with
 * the roofline-only model, the flag would be silently ignored: the user would read a prediction as if it answered
 * their setting.
 */
final class SettingEffect {
  private SettingEffect() {}

  /** Throws unless {@code predictor}'s model has a feature of {@code quantity}; nothing when the option is absent. */
  static void require(Predictor predictor, String option, Object value, Quantity quantity) {
    if (value == null) {
      return;
    }
    FeatureSchema schema = predictor.model().schema();
    if (predictor.model().model() instanceof RooflineOnlyModel) {
      throw new InvalidInputException(option, String.valueOf(value),
          "a model that learns it: the roofline-only model has no " + describe(quantity) + " (drop " + option + ")");
    }
    if (schema.slots().stream().noneMatch(s -> s.quantity() == quantity)) {
      throw new InvalidInputException(option, String.valueOf(value),
          "a model whose feature schema has " + describe(quantity) + ": model " + predictor.model().model().info().modelId()
              + " is on schema " + schema.id() + ", which has none; schemas with it: " + schemasWith(quantity)
              + " (drop " + option + ")");
    }
  }

  private static String describe(Quantity quantity) {
    return "a " + quantity.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " feature";
  }

  private static String schemasWith(Quantity quantity) {
    return FeatureSchemas.all().stream()
        .filter(s -> s.slots().stream().anyMatch(slot -> slot.quantity() == quantity))
        .map(FeatureSchema::id)
        .collect(Collectors.joining(", "));
  }
}
