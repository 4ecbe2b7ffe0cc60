package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.KvCacheType;
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

  private static ServingScenario scenario(KvCacheType kv) {
    return new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H20"), CATALOG.quant("FP8"), kv,
        EngineDefaults.shipped().engine(EngineKind.SGLANG, "", ""), new Layout(1, 1, 1, 1),
        new Workload(Lengths.fixed(1000), Lengths.fixed(200), new Load.Concurrency(1)));
  }
}
