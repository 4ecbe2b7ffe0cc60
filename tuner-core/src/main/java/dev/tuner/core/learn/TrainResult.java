package dev.tuner.core.learn;

import dev.tuner.api.ThroughputModel;
import dev.tuner.core.artifact.ModelArtifact;

/** A trained model, its artifact (ready to write) and its cross-validation report. */
public record TrainResult(ThroughputModel model, ModelArtifact artifact, EvaluationReport report) {}
