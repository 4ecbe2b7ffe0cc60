package dev.tuner.core.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.ProgressListener;
import dev.tuner.core.Fixtures;
import dev.tuner.core.scenario.Phase;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The protocol's line for rows whose device has an imputed peak, on the shipped data. */
class ImputedRowsTest {
  private static Encoded shipped() throws java.io.IOException {
    return ShippedRows.encoded();
  }

  @Test
  void theBreakdownCountsScoresAndCoversExactlyTheRowsWithImputedPeaks() throws java.io.IOException {
    Encoded d = shipped();
    CvResult r = new CrossValidator(0.9, ProgressListener.NONE).run(Candidates.rooflineEfficiency(d),
        Folds.of("family", d, 42));
    for (Phase p : Phase.values()) {
      int[] rows = IntStream.range(0, d.rows()).filter(i -> d.phases[i] == p && d.deviceImputed[i]).toArray();
      // the shipped catalog leaves FP16 and FP32 blank for the Apple M3 and M4 parts (Apple publishes neither)
      assertThat(rows).as("imputed rows of " + p).isNotEmpty();
      for (int i : rows) {
        var spec = Fixtures.CATALOG.device(d.devices[i]);
        assertThat(spec.fp16Tflops().isEmpty() || spec.fp32Tflops().isEmpty() || spec.int8Tops().isEmpty())
            .as(d.devices[i] + " lacks a peak").isTrue();
        assertThat(d.imputed[i]).as("calibration sees the same outcome").isTrue();
      }
      Map<String, Double> b = Protocol.imputedBreakdown(d, r.predicted(), r.low(), r.high(), p);
      long in = IntStream.of(rows).filter(i -> d.measured[i] >= r.low()[i] && d.measured[i] <= r.high()[i]).count();
      double ape = IntStream.of(rows).mapToDouble(i -> Math.abs(r.predicted()[i] - d.measured[i]) / d.measured[i])
          .sum();
      assertThat(b.get("imputed_rows")).isEqualTo(rows.length);
      assertThat(b.get("imputed_coverage")).isCloseTo((double) in / rows.length, within(1e-12));
      assertThat(b.get("imputed_mape")).isCloseTo(ape / rows.length, within(1e-12));
      assertThat(Protocol.imputedBreakdown(d, r.predicted(), null, null, p).get("imputed_coverage")).isNaN();
    }
  }
}
