package dev.tuner.core.predict;

import dev.tuner.api.ThroughputModel;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.schema.FeatureSchema;
import java.util.Objects;
import java.util.Optional;

/**
 * A model ready to predict: the plugin's model, the schema it was checked against, its held-out calibration and,
 * for tuner artifacts, the header with its provenance.
 */
public record LoadedModel(
    ThroughputModel model, FeatureSchema schema, Calibration calibration, Optional<ArtifactHeader> header) {
  public LoadedModel {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(calibration, "calibration");
    Objects.requireNonNull(header, "header");
    if (calibration.featureMin().length != schema.width()) {
      throw new IllegalArgumentException("calibration width " + calibration.featureMin().length
          + " differs from schema width " + schema.width());
    }
  }

  public String id() {
    return model.info().modelId();
  }

  /**
   * What the model's raw outputs are relative to: its output kind, with the step overhead and prefill rates its
   * artifact header records
   * (else its own properties: a foreign file that carries them, such as an exported ONNX model).
   */
  public Reference reference() {
    java.util.Map<String, String> properties = header.map(ArtifactHeader::properties)
        .filter(Reference::recordedIn).orElse(model.info().properties());
    return Reference.of(model.info().outputKind(), properties, "model " + id());
  }
}
