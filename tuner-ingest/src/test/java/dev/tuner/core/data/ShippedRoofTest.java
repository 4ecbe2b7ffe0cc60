package dev.tuner.core.data;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;

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
    // mixtures of experts known only by their totals are bounded by reading their active weights (ModelPhysics)
    assertThat(data.aboveRoof())
        .extracting(e -> e.measurement().origin() + " " + e.measurement().tokensPerSecond() + " > "
            + e.roofline().tokensPerSecond()).isEmpty();
  }
}
