package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ServingRecommenderTest {
  private static final Catalog CATALOG = Catalog.shipped();
  private static final ServingPredictor PREDICTOR =
      new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTermsCodec.shipped());

  private static ServingRequest request(String model, List<Integer> devices, OptionalDouble ttft,
      OptionalDouble tpot, OptionalDouble price) {
    EngineDefaults d = EngineDefaults.shipped();
    return new ServingRequest(CATALOG.model(model), CATALOG.device("H100 SXM5 80GB"), Lengths.fixed(1000),
        Lengths.fixed(200), List.of(d.engine(EngineKind.VLLM, "", ""), d.engine(EngineKind.SGLANG, "", "")),
        List.of(CATALOG.quant("BF16"), CATALOG.quant("FP8")), devices, List.of(1, 8, 64, 256), ttft, tpot, price);
  }

  @Test
  void layoutsAreEveryPowerOfTwoSplitThatDividesTheGpus() {
    // 4 GPUs: tp 1 (pp 1, 2, 4), tp 2 (pp 1, 2), tp 4 (pp 1); 6 GPUs: tp 1 / pp 1, tp 1 / pp 2, tp 2 / pp 1
    assertThat(ServingRecommender.layouts(4, false)).containsExactly(new Layout(4, 1, 1, 1), new Layout(4, 1, 2, 1),
        new Layout(4, 1, 4, 1), new Layout(4, 2, 1, 1), new Layout(4, 2, 2, 1), new Layout(4, 4, 1, 1));
    assertThat(ServingRecommender.layouts(6, false)).containsExactly(new Layout(6, 1, 1, 1), new Layout(6, 1, 2, 1),
        new Layout(6, 2, 1, 1));
    // a mixture of experts also spreads its experts over the tensor-parallel group
    assertThat(ServingRecommender.layouts(2, true)).containsExactly(new Layout(2, 1, 1, 1), new Layout(2, 1, 2, 1),
        new Layout(2, 2, 1, 1), new Layout(2, 2, 1, 2));
  }

  @Test
  void theBestMeetsTheBudgetsAtTheHighestThroughputPerGpuAndCostsWhatThePriceSays() {
    ServingRequest q = request("Llama 3.1 8B", List.of(1, 2), OptionalDouble.of(500), OptionalDouble.of(30),
        OptionalDouble.of(2.0));
    ServingRecommender.Recommendation r = new ServingRecommender(PREDICTOR).recommend(q);
    // 2 engines × 2 precisions × (1 + 3 layouts) × 4 concurrencies
    assertThat(q.size()).isEqualTo(64);
    assertThat(r.candidates()).hasSize(64);
    ServingRecommender.Candidate best = r.best().orElseThrow();
    assertThat(best.prediction().ttftMs()).isLessThanOrEqualTo(500);
    assertThat(best.prediction().tpotMs()).isLessThanOrEqualTo(30);
    for (ServingRecommender.Candidate c : r.candidates()) {
      if (c.meetsBudget()) {
        assertThat(c.prediction().outputTokensPerSPerGpu())
            .isLessThanOrEqualTo(best.prediction().outputTokensPerSPerGpu());
      }
    }
    // $2 per GPU-hour over 3600 s at x tokens/s per GPU: 2 / (3600 x) per token, × 1e6 per million
    assertThat(best.usdPerMillionOutput().getAsDouble())
        .isCloseTo(2.0 / (3600 * best.prediction().outputTokensPerSPerGpu()) * 1e6, within(1e-9));
    // a budget nothing meets leaves the ranking empty but keeps every prediction
    ServingRecommender.Recommendation none = new ServingRecommender(PREDICTOR).recommend(
        request("Llama 3.1 8B", List.of(1), OptionalDouble.of(0.001), OptionalDouble.empty(), OptionalDouble.empty()));
    assertThat(none.best()).isEmpty();
    assertThat(none.candidates()).isNotEmpty();
    assertThat(none.candidates().get(0).usdPerMillionOutput()).isEmpty();
  }

  @Test
  void aLayoutWhoseWeightsDoNotFitIsDroppedWithTheReason() {
    // 70.6e9 parameters × 2 bytes = 141 GB of BF16 weights: no room on one 80 GB GPU, and tp 2 is 70.6 GB each
    ServingRecommender.Recommendation r = new ServingRecommender(PREDICTOR).recommend(
        request("Llama 3.1 70B", List.of(1), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty()));
    assertThat(r.dropped()).anySatisfy(d -> {
      assertThat(d.quant().name()).isEqualTo("BF16");
      assertThat(d.reason()).contains("weights per GPU");
    });
    assertThatThrownBy(() -> request("Llama 3.1 8B", List.of(), OptionalDouble.empty(), OptionalDouble.empty(),
        OptionalDouble.empty())).isInstanceOf(InvalidInputException.class).hasMessageContaining("device counts");
  }
}
