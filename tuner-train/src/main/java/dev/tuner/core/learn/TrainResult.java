package dev.tuner.core.learn;

import dev.tuner.api.ThroughputModel;
import dev.tuner.core.artifact.ModelArtifact;

/**
 * A trained model, its artifact (ready to write), its cross-validation report and the held-out prediction of every
 * row the report was computed from.
 */
public record TrainResult(ThroughputModel model, ModelArtifact artifact, EvaluationReport report,
    HeldOutPredictions heldOut) {}
