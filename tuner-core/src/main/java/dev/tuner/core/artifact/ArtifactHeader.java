package dev.tuner.core.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import java.util.List;
import java.util.Map;

/**
 * Everything a model artifact says about itself, readable without running the model: what it is, what it expects,
 * how it was made (hyper-parameters, seed, training data hash and size), how good it is on data it did not train on
 * ({@code crossValidation}, with the method in it), its held-out calibration, and the environment that built it.
 */
public record ArtifactHeader(
    int formatVersion,
    String apiVersion,
    String modelId,
    String providerId,
    String providerVersion,
    SchemaRef schema,
    OutputKind outputKind,
    int featureCount,
    Map<String, String> hyperParameters,
    long seed,
    TrainingData trainingData,
    JsonNode crossValidation,
    Calibration calibration,
    Map<String, String> environment,
    String created,
    Map<String, String> properties) {

  /** The data a model was trained on: files, SHA-256 over the rows used, rows used and filters applied. */
  public record TrainingData(List<String> files, String sha256, int rows, List<String> filters) {
    public TrainingData {
      files = List.copyOf(files);
      filters = List.copyOf(filters);
    }
  }

  public ArtifactHeader {
    hyperParameters = Map.copyOf(hyperParameters);
    environment = Map.copyOf(environment);
    properties = Map.copyOf(properties);
  }
}
