package dev.tuner.core.data;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.roofline.Roofline;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Issue 15: the roofline bounds every real measurement (here, beside Dataset, since the split moved it). */
class ShippedRoofTest {
  private final Roofline roofline = new Roofline(CATALOG);

  /** No usable shipped row is above its roof: a row above it is a physics or catalog error. */
  @Test
  void noShippedMeasurementIsAboveItsRoof() throws Exception {
    Dataset.Prepared data;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("dev/tuner/data/measurements.csv")) {
      data = Dataset.load(new InputStreamReader(in, StandardCharsets.UTF_8), "measurements.csv", CATALOG, roofline,
          Dataset.Options.defaults());
    }
    assertThat(data.examples()).hasSizeGreaterThan(600);
    // a mixture of experts whose catalog row gives active parameters but no expert count is read as a dense model
    // (ModelPhysics routes nothing without E and k), which is no bound: those rows are named, the rest must be under
    // the roof
    assertThat(data.aboveRoof()).filteredOn(e -> !routingUnknown(e.scenario().model()))
        .extracting(e -> e.measurement().origin() + " " + e.measurement().tokensPerSecond() + " > "
            + e.roofline().tokensPerSecond()).isEmpty();
    assertThat(data.aboveRoof()).extracting(e -> e.scenario().model().name()).allMatch(UNBOUNDED_MOE::contains);
  }

  private static boolean routingUnknown(ModelSpec m) {
    return !m.moe().isMoe() && m.activeParamsB().isPresent() && m.activeParamsB().getAsDouble() < m.paramsB();
  }

  /** Mixtures of experts in the shipped measurements whose catalog rows lack the expert count (data/models.csv). */
  private static final java.util.Set<String> UNBOUNDED_MOE = java.util.Set.of("Hunyuan-A13B", "dots.llm1");
}
