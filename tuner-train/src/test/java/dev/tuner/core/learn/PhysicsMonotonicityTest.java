package dev.tuner.core.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.fuzz.ForestPlugin;
import dev.tuner.core.fuzz.TrainedForest;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.schema.FeatureSchemas;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link PhysicsSweep} through a per-phase ensemble trained here with {@code monotone=physics}: no prediction
 * may move against physics by more than {@link PhysicsSweep#TOLERANCE}. (The shipped default model gets the same
 * sweep in tuner-cli, where it is on the class path.)
 */
class PhysicsMonotonicityTest {
  private static final long SEED = 20261205L;

  private static Predictor predictor;
  private static PhysicsSweep sweep;

  @BeforeAll
  static void train() {
    Catalog catalog = Catalog.shipped();
    Roofline roofline = new Roofline(catalog);
    Dataset.Prepared data = TrainedForest.shippedData(catalog, roofline, Dataset.Options.defaults());
    TrainResult r = new TrainingPipeline(FeatureSchemas.tunerV1()).train(data,
        ForestPlugin.registry().require("ensemble"), new TrainRequest(OutputKind.LOG_SERIAL_ROOF_FRACTION,
            Map.of("members", "forest", "monotone", "physics", "forest.trees", "12", "forest.max_depth", "8"), SEED,
            "3", 0.9, 2, ProgressListener.NONE));
    predictor = new Predictor(new LoadedModel(r.model(), FeatureSchemas.tunerV1(), r.artifact().header()
        .calibration(), Optional.empty()), roofline, 0.9, false);
    sweep = new PhysicsSweep(catalog, roofline, SEED);
  }

  @ParameterizedTest
  @EnumSource(PhysicsSweep.Axis.class)
  void noPredictionMovesAgainstPhysics(PhysicsSweep.Axis axis) {
    PhysicsSweep.Result r = sweep.run(predictor, axis);
    assertThat(r.curves()).isGreaterThan(1000);
    assertThat(r.reversals()).as("%s reversals beyond %.1f%% in %d curves", axis, 100 * PhysicsSweep.TOLERANCE,
        r.curves()).isEmpty();
  }
}
