package dev.tuner.linear;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainingSet;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.learn.ArtifactWriter;
import dev.tuner.core.learn.TrainRequest;
import dev.tuner.core.learn.TrainResult;
import dev.tuner.core.learn.TrainingPipeline;
import dev.tuner.core.schema.FeatureSchemas;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Tribuo solver through the host, as `tuner train --model-type linear --set solver=elastic-net` runs it: the
 * pipeline trains on the shipped data, the artifact's header carries Tribuo's provenance beside tuner's own, and
 * the artifact reloads (codec, then provider) to the model that was trained.
 */
class TribuoArtifactEndToEndTest {

  @Test
  void anElasticNetArtifactCarriesTribuosProvenanceAndReloadsToTheSamePredictions() {
    TrainResult result = new TrainingPipeline(FeatureSchemas.tunerV1()).train(ShippedData.prepared(),
        new LinearProvider(), new TrainRequest(OutputKind.LOG_ROOFLINE_FRACTION,
            Map.of("solver", "elastic-net", "lambda_steps", "3", "folds", "3"), 42, "3", 0.9, 1, ProgressListener.NONE));
    ModelArtifact artifact =
        new ArtifactCodec().decode(new ArtifactWriter().encode(result.artifact()), "elastic-net.json");
    ArtifactHeader h = artifact.header();

    assertThat(h.hyperParameters()).containsEntry("solver", "elastic-net");
    assertThat(h.seed()).isEqualTo(42);
    assertThat(h.properties())
        .containsEntry("tribuo.version", "4.3.2")
        .containsEntry("tribuo.trainer.class", "org.tribuo.regression.slm.ElasticNetCDTrainer")
        .containsKey("tribuo.trainer.l1Ratio")
        .containsKey("training_summary");

    ModelInfo info = new ModelInfo(h.modelId(), h.providerId(), h.schema(), h.outputKind(), h.featureCount(),
        h.properties(), List.of());
    ThroughputModel reloaded = new LinearProvider().load(new ModelPayload(info, artifact.payload()));
    TrainingSet rows = ShippedData.trainingSet();
    for (int r = 0; r < rows.rows(); r += 37) {
      assertThat(reloaded.predict(rows.row(r))).isEqualTo(result.model().predict(rows.row(r)));
    }
    assertThat(reloaded.info().properties()).containsEntry("tribuo.trainer.alpha", h.properties().get("chosen_lambda"));
  }

  @Test
  void anArtifactWithoutTribuoProvenanceStillLoads() {
    TrainResult result = new TrainingPipeline(FeatureSchemas.tunerV1()).train(ShippedData.prepared(),
        new LinearProvider(), new TrainRequest(OutputKind.LOG_ROOFLINE_FRACTION, Map.of("lambda", "0.01"), 1, "3",
            0.9, 1, ProgressListener.NONE));
    ArtifactHeader h = result.artifact().header();
    Map<String, String> withoutTribuo = new java.util.TreeMap<>(h.properties());
    withoutTribuo.keySet().removeIf(k -> k.startsWith("tribuo."));
    ModelInfo info = new ModelInfo(h.modelId(), h.providerId(), h.schema(), h.outputKind(), h.featureCount(),
        withoutTribuo, List.of());

    ThroughputModel reloaded = new LinearProvider().load(new ModelPayload(info, result.artifact().payload()));

    assertThat(withoutTribuo).doesNotContainKey("tribuo.version");
    assertThat(reloaded.predict(ShippedData.trainingSet().row(0)))
        .isEqualTo(result.model().predict(ShippedData.trainingSet().row(0)));
  }
}
