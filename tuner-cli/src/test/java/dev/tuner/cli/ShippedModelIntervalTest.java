package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The embedded default model's 90% intervals across the catalogue say something: on every catalogued device with
 * every quantization (a seeded model and length each, named as a user names them), the low end is above 0, the high
 * end at most {@value #MAX_RATIO} times it, and at the median at most {@value #MAX_MEDIAN_RATIO} times it. Devices
 * whose figures are imputed, beyond every training row or of an architecture no row ran on are in the sweep and are
 * where the widest intervals are. Before the calibration's spread offset ({@code Calibration.SpreadOffset}) the
 * prompts' intervals in this sweep were ×21 wide at the median, ×368 502 at the 90th percentile and ×1.9e11 at most
 * (decode ×6.8, ×22, ×113); with it ×5.1, ×36 and ×492 (decode ×2.8, ×6.3, ×10.5), and with the model held
 * non-decreasing in the build month ×5.5, ×38 and ×631 (decode ×2.7, ×5.4, ×8.4). The limits leave room above those
 * and would catch either kind of return.
 */
class ShippedModelIntervalTest {
  static final double MAX_RATIO = 1000;
  static final double MAX_MEDIAN_RATIO = 10;
  private static final int[] CONTEXTS = {128, 512, 2048};
  private static final int[] BATCHES = {1, 4, 16};
  private static Catalog catalog;
  private static Predictor predictor;

  @BeforeAll
  static void load() throws Exception {
    catalog = Catalog.shipped();
    ModelLoader loader = new ModelLoader(ProviderRegistry.discover(ShippedModelIntervalTest.class.getClassLoader(),
        Optional.empty()), new ArtifactCodec());
    try (InputStream in = ShippedModelIntervalTest.class.getClassLoader()
        .getResourceAsStream(TunerConfig.DEFAULT_MODEL_RESOURCE)) {
      predictor = new Predictor(loader.open(in, "embedded default model"), new Roofline(catalog), 0.9, false);
    }
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void everyIntervalAcrossTheCatalogIsBoundedAndAboveZero(Phase phase) {
    SplittableRandom rnd = new SplittableRandom(20261207L + phase.ordinal());
    List<ModelSpec> models = catalog.models().entries();
    List<String> tooWide = new ArrayList<>();
    int predictions = 0;
    List<Double> ratios = new ArrayList<>();
    for (DeviceSpec d : catalog.devices().entries()) {
      for (Quantization q : catalog.quants().entries()) {
        ModelSpec m = models.get(rnd.nextInt(models.size()));
        int batch = phase == Phase.DECODE ? BATCHES[rnd.nextInt(BATCHES.length)] : 1;
        // as a user names it: the engine settings a request leaves open take their defaults (the device's usual
        // backend among them), as `tuner predict` takes them
        Scenario s = ScenarioRequest.of(m.name(), d.name(), q.name(), batch, CONTEXTS[rnd.nextInt(CONTEXTS.length)],
            phase.id()).resolve(catalog);
        ThroughputPrediction p = predictor.predict(s, 0);
        predictions++;
        double low = p.interval().low();
        double high = p.interval().high();
        ratios.add(high / low);
        if (!(low > 0) || high / low > MAX_RATIO) {
          tooWide.add(String.format(Locale.ROOT, "%s %s %s: %.3g to %.3g tokens/s", m.name(), d.name(), q.name(),
              low, high));
        }
      }
    }
    assertThat(predictions).isGreaterThan(2000);
    ratios.sort(null);
    assertThat(ratios.get(ratios.size() / 2)).as("%s median width (high / low)", phase)
        .isLessThanOrEqualTo(MAX_MEDIAN_RATIO);
    assertThat(tooWide).as("%s intervals wider than x%.0f or reaching 0", phase, MAX_RATIO).isEmpty();
  }
}
