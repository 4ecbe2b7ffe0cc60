package dev.tuner.core.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.MemoryEstimate;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {

  @Test
  void aStepThatExceedsItsDevicesMemorySaysSoWithItsFigures() {
    Catalog c = Catalog.shipped();
    Scenario big = ScenarioRequest.of("Llama 3 70B", "RTX 4090", "F16", 1, 512, "decode").resolve(c);
    // 70.55e9 parameters × 2 bytes = 131.4 GiB of weights alone, against 24 GiB
    assertThat(MemoryEstimate.doesNotFit(big)).hasValueSatisfying(w -> assertThat(w)
        .startsWith("does not fit: needs ").contains("RTX 4090 has 24 GiB", "the prediction assumes it runs"));
    Scenario small = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(c);
    assertThat(MemoryEstimate.doesNotFit(small)).isEmpty();
  }

  @Test
  void expertsStoredApartWeighAtTheirOwnBitsAndSplitOverExpertParallelism() {
    Catalog c = Catalog.shipped();
    ModelSpec gptOss = c.model("gpt-oss-120b");
    // 114 661 785 600 routed parameters × 4.25 / 8 = 60 914 073 600 bytes; the other 2 168 214 400 × 8.5 / 8
    // = 2 303 727 800 (llama-quantize's MXFP4_MOE): 63 217 801 400
    MemoryEstimate whole = MemoryEstimate.of(gptOss, c.quant("MXFP4_MOE"), KvCacheType.F16, 1, 0);
    assertThat(whole.weightBytes()).isCloseTo(63_217_801_400d, within(1.0));
    // two data-parallel devices sharing the experts (ep 2): each holds the whole rest and half the experts,
    // 2 303 727 800 + 30 457 036 800; under tensor parallelism 2 both halve: 31 608 900 700
    MemoryEstimate ep = MemoryEstimate.of(gptOss, c.quant("MXFP4_MOE"), KvCacheType.F16, 2, 0,
        new ParallelLayout(2, 1, 1, 2));
    assertThat(ep.weightBytes()).isCloseTo(32_760_764_600d, within(1.0));
    MemoryEstimate tp = MemoryEstimate.of(gptOss, c.quant("MXFP4_MOE"), KvCacheType.F16, 1, 0,
        new ParallelLayout(2, 2, 1, 1));
    assertThat(tp.weightBytes()).isCloseTo(31_608_900_700d, within(1.0));
  }

  @Test
  void pinsTheFitArithmeticOnAHandComputedCase() {
    // 8.03e9 params × 4.84 bits / 8 = 4 858 150 000 bytes of weights.
    // KV: 4 × 4096 × 32 layers × 8 KV heads × 128 × 2 (K, V) × 2 bytes (f16) = 2 147 483 648 bytes = 2 GiB.
    // Overhead: 0.5 GiB (536 870 912) + 5% of weights (242 907 500) = 779 778 412 bytes.
    // Total 7 785 412 060 bytes = 7.2507 GiB: fits in 8 GiB and 7.26 GiB, not in 7.25 GiB.
    MemoryEstimate m = MemoryEstimate.of(Fixtures.LLAMA_8B, Fixtures.Q4, KvCacheType.F16, 4, 4096);
    assertThat(m.weightBytes()).isCloseTo(4_858_150_000d, within(1.0));
    assertThat(m.kvCacheBytes()).isEqualTo(2_147_483_648d);
    assertThat(m.overheadBytes()).isCloseTo(779_778_412d, within(1.0));
    assertThat(m.totalBytes()).isCloseTo(7_785_412_060d, within(2.0));
    assertThat(m.kvCacheKnown()).isTrue();
    assertThat(m.fitsIn(8)).isTrue();
    assertThat(m.fitsIn(7.26)).isTrue();
    assertThat(m.fitsIn(7.25)).isFalse();
  }

  @Test
  void kvCacheElementSizeFollowsTheCacheType() {
    // q8_0 stores 8.5 bits per element, so the cache is 8.5/16 of the f16 one.
    MemoryEstimate f16 = MemoryEstimate.of(Fixtures.LLAMA_8B, Fixtures.Q4, KvCacheType.F16, 1, 1000);
    MemoryEstimate q8 = MemoryEstimate.of(Fixtures.LLAMA_8B, Fixtures.Q4, KvCacheType.Q8_0, 1, 1000);
    assertThat(q8.kvCacheBytes() / f16.kvCacheBytes()).isCloseTo(8.5 / 16, within(1e-12));
    assertThat(q8.weightBytes()).isEqualTo(f16.weightBytes());
  }

  @Test
  void anUnknownKvShapeCountsNoCacheAndSaysSo() {
    ModelSpec bare = new ModelSpec("bare", 7, 0, 0, 0, 0, 0, 0, List.of(), "test");
    MemoryEstimate m = MemoryEstimate.of(bare, Fixtures.F16, KvCacheType.F16, 8, 4096);
    assertThat(m.kvCacheKnown()).isFalse();
    assertThat(m.kvCacheBytes()).isZero();
    assertThat(m.weightBytes()).isEqualTo(14e9);
  }
}
