package dev.tuner.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a model is: its id, the provider that runs it, the schema it expects, what its output means, its input
 * width, free-form properties (hyper-parameters, provenance) and warnings the user must see when it is used.
 */
public record ModelInfo(
    String modelId,
    String providerId,
    SchemaRef schema,
    OutputKind outputKind,
    int featureCount,
    Map<String, String> properties,
    List<String> warnings) {
  public ModelInfo {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(providerId, "providerId");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(outputKind, "outputKind");
    InvalidInputException.requireInRange("featureCount", featureCount, 1, 4096, "features");
    properties = Map.copyOf(properties);
    warnings = List.copyOf(warnings);
  }

  public ModelInfo(String modelId, String providerId, SchemaRef schema, OutputKind outputKind, int featureCount) {
    this(modelId, providerId, schema, outputKind, featureCount, Map.of(), List.of());
  }

  public ModelInfo withProperties(Map<String, String> more) {
    var merged = new java.util.TreeMap<>(properties);
    merged.putAll(more);
    return new ModelInfo(modelId, providerId, schema, outputKind, featureCount, merged, warnings);
  }
}
