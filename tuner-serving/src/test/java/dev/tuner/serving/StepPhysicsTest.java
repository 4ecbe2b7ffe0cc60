package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import org.junit.jupiter.api.Test;

class StepPhysicsTest {
  private static final Catalog CATALOG = Catalog.shipped();
  private static final StepPhysics PHYSICS = new StepPhysics(new Roofline(CATALOG));

  @Test
  void attentionComputesInTheKvCachesPrecisionNotTheWeights() {
    // a 16-bit cache means 16-bit attention, whatever the GEMMs run at; only an FP8 cache beside FP8 or FP4 GEMMs
    // (FlashAttention 3's FP8 attention, doc_vllm_fp8_kv_attention) runs it in FP8
    assertThat(StepPhysics.attentionActivation(Activation.FP8, KvCacheType.F16)).isEqualTo(Activation.FP16);
    assertThat(StepPhysics.attentionActivation(Activation.FP8, KvCacheType.FP8)).isEqualTo(Activation.FP8);
    assertThat(StepPhysics.attentionActivation(Activation.FP4, KvCacheType.F16)).isEqualTo(Activation.FP16);
    assertThat(StepPhysics.attentionActivation(Activation.FP4, KvCacheType.FP8)).isEqualTo(Activation.FP8);
    assertThat(StepPhysics.attentionActivation(Activation.INT8, KvCacheType.FP8)).isEqualTo(Activation.FP16);
    assertThat(StepPhysics.attentionActivation(Activation.FP16, KvCacheType.FP8)).isEqualTo(Activation.FP16);
    assertThat(StepPhysics.attentionActivation(Activation.FP32, KvCacheType.F16)).isEqualTo(Activation.FP32);
  }

  @Test
  void fp8WeightsOnAnH20RunTheirGemmsAtTheFp8PeakAndAttentionAtTheFp16One() {
    // data/devices.csv: H20 148 dense FP16 TFLOPS, 296 FP8
    ServingScenario bf16Cache = scenario(KvCacheType.F16);
    InstanceFigures f = PHYSICS.figures(bf16Cache);
    assertThat(f.peakFlops()).isCloseTo(296e12, within(1.0));
    assertThat(f.attentionPeakFlops()).isCloseTo(148e12, within(1.0));
    InstanceFigures fp8Cache = PHYSICS.figures(scenario(KvCacheType.FP8));
    assertThat(fp8Cache.attentionPeakFlops()).isCloseTo(296e12, within(1.0));
  }

  /**
   * A model split over devices puts its collectives on the GPU-to-GPU link; without the link's bandwidth nothing
   * bounds them, so the split is refused (Apple silicon has no peer link: data/devices.csv interconnect "unified").
   * Replicas, which share no activations, need no link.
   */
  @Test
  void aSplitNeedsALinkOfStatedBandwidth() {
    ServingScenario apple = new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device(
        "Apple M2 Max (38-core GPU)"), CATALOG.quant("BF16"), KvCacheType.F16, EngineDefaults.shipped().engine(
        EngineKind.VLLM, "", ""), new ParallelLayout(2, 2, 1, 1), new Workload(Lengths.fixed(100), Lengths.fixed(100),
        new Load.Concurrency(4)));
    assertThatThrownBy(() -> PHYSICS.figures(apple))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("layout = a model split over several Apple M2 Max (38-core GPU)")
        .hasMessageContaining("has none (interconnect unified)")
        .hasMessageContaining("a GPU-to-GPU link of stated bandwidth");
    assertThatThrownBy(() -> PHYSICS.figures(apple.withLayout(new ParallelLayout(2, 1, 2, 1))))
        .isInstanceOf(InvalidInputException.class);
    assertThat(PHYSICS.figures(apple.withLayout(new ParallelLayout(2, 1, 1, 1))).commBytesPerToken()).isZero();
    // an H100's NVLink has its bandwidth: the split is composed
    ServingScenario h100 = new ServingScenario(apple.model(), CATALOG.device("H100 SXM5 80GB"), apple.quant(),
        apple.kvCache(), apple.engine(), new ParallelLayout(2, 2, 1, 1), apple.workload());
    assertThat(PHYSICS.figures(h100).linkBandwidth()).isPositive();
  }

  private static ServingScenario scenario(KvCacheType kv) {
    return new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H20"), CATALOG.quant("FP8"), kv,
        EngineDefaults.shipped().engine(EngineKind.SGLANG, "", ""), new ParallelLayout(1, 1, 1, 1),
        new Workload(Lengths.fixed(1000), Lengths.fixed(200), new Load.Concurrency(1)));
  }
}
