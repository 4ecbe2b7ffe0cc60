package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.learn.PhysicsSweep;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import java.io.InputStream;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The embedded default model, as shipped, through the catalogue {@link PhysicsSweep}: along bandwidth, every compute
 * peak, decode context and batch and the prefill prompt past saturation, no prediction moves against physics.
 */
class ShippedModelPhysicsTest {
  private static Predictor predictor;
  private static PhysicsSweep sweep;

  @BeforeAll
  static void load() throws Exception {
    Catalog catalog = Catalog.shipped();
    Roofline roofline = new Roofline(catalog);
    ModelLoader loader = new ModelLoader(ProviderRegistry.discover(ShippedModelPhysicsTest.class.getClassLoader(),
        Optional.empty()), new ArtifactCodec());
    try (InputStream in = ShippedModelPhysicsTest.class.getClassLoader()
        .getResourceAsStream(TunerConfig.DEFAULT_MODEL_RESOURCE)) {
      predictor = new Predictor(loader.open(in, "embedded default model"), roofline, 0.9, false);
    }
    sweep = new PhysicsSweep(catalog, roofline, 20261206L);
  }

  @ParameterizedTest
  @EnumSource(PhysicsSweep.Axis.class)
  void theShippedModelNeverMovesAgainstPhysics(PhysicsSweep.Axis axis) {
    PhysicsSweep.Result r = sweep.run(predictor, axis);
    assertThat(r.curves()).isGreaterThan(1000);
    assertThat(r.reversals()).as("%s reversals beyond %.1f%% in %d curves", axis, 100 * PhysicsSweep.TOLERANCE,
        r.curves()).isEmpty();
  }
}
