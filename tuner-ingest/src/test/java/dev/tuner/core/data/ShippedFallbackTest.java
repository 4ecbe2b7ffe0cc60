package dev.tuner.core.data;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.core.predict.RooflineOnlyModel;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Phase;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The prediction runtime's shipped constants against the shipped measurements, which only this module reads. */
class ShippedFallbackTest {
  private final Roofline roofline = new Roofline(CATALOG);

  /**
   * The roofline-only model's shipped efficiencies are the medians of measured / roofline over the shipped data
   * (E2E and SUSPECT rows left out, as training leaves them out); recomputed here so they cannot drift.
   */
  @Test
  void theShippedFallbackEfficienciesAreTheMediansOfTheShippedData() throws Exception {
    Dataset.Prepared data;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("dev/tuner/data/measurements.csv")) {
      data = Dataset.load(new InputStreamReader(in, StandardCharsets.UTF_8), "measurements.csv", CATALOG, roofline,
          Dataset.Options.defaults());
    }
    double decode = median(data.examples().stream().filter(e -> e.scenario().phase() == Phase.DECODE)
        .mapToDouble(Dataset.Example::efficiency).toArray());
    double prefill = median(data.examples().stream().filter(e -> e.scenario().phase() == Phase.PREFILL)
        .mapToDouble(Dataset.Example::efficiency).toArray());
    assertThat(RooflineOnlyModel.SHIPPED_DECODE_EFFICIENCY).isCloseTo(decode, within(0.02));
    assertThat(RooflineOnlyModel.SHIPPED_PREFILL_EFFICIENCY).isCloseTo(prefill, within(0.02));
  }

  private static double median(double[] v) {
    assertThat(v.length).as("rows for a median").isGreaterThan(50);
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
