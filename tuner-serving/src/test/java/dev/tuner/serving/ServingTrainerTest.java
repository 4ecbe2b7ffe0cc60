package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.catalog.Catalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingTrainerTest {
  @Test
  void theFitSearchesSixCoordinatesAndLearnsNoLatencyPerRequest() {
    // logs of the times and logits of the shares; a share's logit 0 is the middle of its range:
    // 0.01 + 0.99 / (1 + e^0) = 0.01 + 0.495 = 0.505
    double[] x = {Math.log(0.002), Math.log(1e-5), 0, 0, 0, 0};
    EngineTerms t = ServingTrainer.terms(x);
    assertThat(t.overheadS()).isCloseTo(0.002, within(1e-15));
    assertThat(t.perSequenceS()).isCloseTo(1e-5, within(1e-18));
    assertThat(t.bandwidthEff()).isCloseTo(0.505, within(1e-12));
    assertThat(t.interconnectEff()).isCloseTo(0.505, within(1e-12));
    // no coordinate for a latency per request: the front end's milliseconds cannot be told apart from the
    // composition's other misses in a TTFT of seconds, so the fit would push it to any cap
    assertThat(t.requestS()).isZero();
    assertThat(ServingTrainer.vector(t)).hasSize(6);
    assertThat(ServingTrainer.START.requestS()).isZero();
    assertThat(ServingTrainer.terms(ServingTrainer.vector(ServingTrainer.START)).computeEff())
        .isCloseTo(0.6, within(1e-9));
  }

  @Test
  void aFamilysQuantileIsTheNearestRankOfItsOwnErrors() {
    // 10 errors at 0.9: the ceil(10 × 0.9) = 9th smallest; 3 errors: ceil(2.7) = 3rd, the largest; 1 error: itself
    List<Double> ten = List.of(0.10, 0.05, 0.30, 0.20, 0.90, 0.40, 0.60, 0.50, 0.70, 0.80);
    assertThat(ServingTrainer.familyQuantile(ten, 0.9)).isEqualTo(0.80);
    assertThat(ServingTrainer.familyQuantile(List.of(0.2, 0.1, 0.3), 0.9)).isEqualTo(0.3);
    assertThat(ServingTrainer.familyQuantile(List.of(0.25), 0.9)).isEqualTo(0.25);
    assertThatThrownBy(() -> ServingTrainer.familyQuantile(List.of(), 0.9))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("family errors")
        .hasMessageContaining("at least one held-out error");
  }

  @Test
  void theWidthIsTheLargestOfTheFamiliesOwnQuantilesNotTheirMixturesQuantile() {
    ServingTrainer trainer = new ServingTrainer(new StepPhysics(new Roofline(Catalog.shipped())), 0.9, 10, 1);
    // output tokens/s: family A's ten errors 0.01..0.10 have their own 0.9 quantile at the 9th, 0.09; family B's
    // two errors 0.1 and 1.0 at the ceil(1.8) = 2nd, 1.0; the width is the larger, 1.0.
    // TPOT: A's ten errors 0.1..1.0 give 0.9 (the 9th), B's 0.1 and 0.2 give 0.2; the width is 0.9. The mixture
    // rule it replaced (each family 1/2, so each of A's errors 1/20 and each of B's 1/4) reached 0.9 of the weight
    // at A's 8th error, 0.8 (B's 1/2 at or below 0.2, plus 8 × 1/20 = 0.4): narrower than A's own quantile.
    Map<String, Map<Metric, List<Double>>> byFamily = Map.of(
        "A", Map.of(Metric.OUTPUT_TPS, List.of(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10),
            Metric.TPOT_MS, List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)),
        "B", Map.of(Metric.OUTPUT_TPS, List.of(0.1, 1.0), Metric.TPOT_MS, List.of(0.1, 0.2)));
    Map<Metric, Double> widths = trainer.halfWidths(byFamily);
    assertThat(widths.get(Metric.OUTPUT_TPS)).isEqualTo(1.0);
    assertThat(widths.get(Metric.TPOT_MS)).isEqualTo(0.9);
    // a metric no family states gets no width; an error beyond the cap is held at 10 (a factor of e^10 either way)
    assertThat(widths).doesNotContainKey(Metric.TTFT_MS);
    assertThat(trainer.halfWidths(Map.of("A", Map.of(Metric.TTFT_MS, List.of(12.0)))).get(Metric.TTFT_MS))
        .isEqualTo(10.0);
  }

  @Test
  void requestsPerSecondAndOutputTokensShareOneWidthFromTheirPooledErrors() {
    ServingTrainer trainer = new ServingTrainer(new StepPhysics(new Roofline(Catalog.shipped())), 0.9, 10, 1);
    // family A: output errors 0.01..0.09 (nine) and one requests/s error 0.5, pooled: ten errors whose 0.9 quantile
    // is the 9th smallest, 0.09; family B: one requests/s error 0.3 alone, its own quantile 0.3. The width of both
    // metrics is the larger, 0.3, where requests/s alone would have taken max(0.5, 0.3) = 0.5 and output 0.09.
    Map<String, Map<Metric, List<Double>>> byFamily = Map.of(
        "A", Map.of(Metric.OUTPUT_TPS, List.of(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09),
            Metric.REQUESTS_PER_S, List.of(0.5)),
        "B", Map.of(Metric.REQUESTS_PER_S, List.of(0.3)));
    Map<Metric, Double> widths = trainer.halfWidths(byFamily);
    assertThat(widths.get(Metric.OUTPUT_TPS)).isEqualTo(0.3);
    assertThat(widths.get(Metric.REQUESTS_PER_S)).isEqualTo(0.3);
  }
}
