package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrtllmBenchTuningTest {
  private static final Catalog CATALOG = Catalog.shipped();
  private static final EngineLimits TRT = EngineDefaults.shipped().of(EngineKind.TENSORRT_LLM);

  @Test
  void estimatesTheRequestsItsKvCacheHoldsOnOneGpu() {
    // Llama 3.1 8B (8.03 B parameters, 32 layers, 8 KV heads of 128) in FP8 with an FP8 KV cache on one H100 (80 GB):
    // a token holds 2 × 32 × 8 × 128 × 1 = 65 536 bytes; the cache is, in the heuristic's GiB, (80 − 8.03 × 1) × 0.95
    // = 68.3715 GiB = 73 413 339 119.6 bytes; a request of 128 + 2 048 = 2 176 tokens holds 142 606 336 bytes: 514.80
    // requests
    double r = TrtllmBenchTuning.requests(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"),
        CATALOG.quant("FP8"), KvCacheType.FP8, new ParallelLayout(1, 1, 1, 1), 128, 2048);
    assertThat(r).isCloseTo(68.3715 * 1024 * 1024 * 1024 / (65_536.0 * 2176), within(1e-9))
        .isCloseTo(514.80, within(0.01));
  }

  @Test
  void roundsTheBatchUpAndTheBudgetToItsFloor() {
    // 514.80 requests: 128 × ceil(514.80 / 128) = 640; budget 514.80 × (1 + 128/2048) = 547.0 tokens, below the
    // floor of 2 048
    EngineLimits l = TrtllmBenchTuning.limits(TRT, CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"),
        CATALOG.quant("FP8"), KvCacheType.FP8, new ParallelLayout(1, 1, 1, 1), 128, 2048);
    assertThat(l.maxBatch()).isEqualTo(640);
    assertThat(l.maxTokensPerStep()).isEqualTo(2048);
    // the rest of the engine's settings are kept
    assertThat(l.chunkedPrefill()).isEqualTo(TRT.chunkedPrefill());
    assertThat(l.kvCacheFraction()).isEqualTo(TRT.kvCacheFraction());
  }

  @Test
  void shortRequestsReachTheBatchCap() {
    // 128/128: 73 413 339 119.6 / (65 536 × 256) = 4 375.78 requests, capped at 4 096: 256 × ceil(16) = 4 096;
    // budget 4 096 × 2 = 8 192, not under 8 192: 1 024 × ceil(8) = 8 192
    EngineLimits l = TrtllmBenchTuning.limits(TRT, CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"),
        CATALOG.quant("FP8"), KvCacheType.FP8, new ParallelLayout(1, 1, 1, 1), 128, 128);
    assertThat(l.maxBatch()).isEqualTo(4096);
    assertThat(l.maxTokensPerStep()).isEqualTo(8192);
  }

  @Test
  void eightGpusOfLongPromptsReachTheTokenCap() {
    // Llama 3.1 70B (70.55 B, 80 layers, 8 KV heads of 128) FP8 on 8 × H200 (141 GB), tp 8: a token holds
    // 2 × 80 × max(8, 8) × 128 × 1 = 163 840 bytes; cache (8 × 141 − 70.55) × 0.95 = 1 004.5775 GiB
    // = 1 078 656 877 199.4 bytes; 2 048 + 128 = 2 176 tokens: 3 025.55 requests → 256 × ceil(11.82) = 3 072; budget
    // 3 025.55 × 17 = 51 434, capped at 32 768 = 1 024 × 32
    EngineLimits l = TrtllmBenchTuning.limits(TRT, CATALOG.model("Llama 3.1 70B"), CATALOG.device("H200 SXM 141GB"),
        CATALOG.quant("FP8"), KvCacheType.FP8, new ParallelLayout(8, 8, 1, 1), 2048, 128);
    assertThat(l.maxBatch()).isEqualTo(3072);
    assertThat(l.maxTokensPerStep()).isEqualTo(32768);
  }

  @Test
  void roundingRulesAtTheirBoundaries() {
    // fewer than 64 requests still get 64; 256 and 1 024 switch the step; the cap of 4 096 is split over stages
    assertThat(TrtllmBenchTuning.maxBatch(2.49, 1)).isEqualTo(64);
    assertThat(TrtllmBenchTuning.maxBatch(100, 1)).isEqualTo(128);
    assertThat(TrtllmBenchTuning.maxBatch(256, 1)).isEqualTo(256);
    assertThat(TrtllmBenchTuning.maxBatch(1025, 1)).isEqualTo(1280);
    assertThat(TrtllmBenchTuning.maxBatch(10_000, 2)).isEqualTo(2048);
    // 300 × (1 + 5 000/500) = 3 300 → 256 × 13 = 3 328; 600 × 11 = 6 600 → 512 × 13 = 6 656
    assertThat(TrtllmBenchTuning.maxTokens(300, 1, 5000, 500)).isEqualTo(3328);
    assertThat(TrtllmBenchTuning.maxTokens(600, 1, 5000, 500)).isEqualTo(6656);
  }

  @Test
  void elementBytesAreTheFormatsWithoutScales() {
    assertThat(TrtllmBenchTuning.elementBytes(CATALOG.quant("BF16"))).isEqualTo(2);
    assertThat(TrtllmBenchTuning.elementBytes(CATALOG.quant("FP8"))).isEqualTo(1);
    // NVFP4 is 4.5 bits with its block scales; trtllm-bench counts 0.5 bytes
    assertThat(TrtllmBenchTuning.elementBytes(CATALOG.quant("NVFP4"))).isEqualTo(0.5);
  }

  @Test
  void formatsAndModelsItDoesNotTuneAreRefusedByName() {
    assertThatThrownBy(() -> TrtllmBenchTuning.elementBytes(CATALOG.quant("Q4_K_M")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("Q4_K_M")
        .hasMessageContaining("16-bit, FP8 or NVFP4");
    assertThatThrownBy(() -> TrtllmBenchTuning.requests(CATALOG.model("DeepSeek-V3"), CATALOG.device("H200 SXM 141GB"),
        CATALOG.quant("FP8"), KvCacheType.FP8, new ParallelLayout(8, 8, 1, 1), 1000, 1000))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("MLA");
  }

  @Test
  void aModelWithoutLayerFiguresCannotBeTuned() {
    // a model known only by its parameter count (every shipped row now has its layers): no KV cache to size
    ModelSpec totalsOnly = new ModelSpec("totals only", 80.39, 0, 0, 0, 0, 0, 0, List.of(), "t");
    assertThat(TrtllmBenchTuning.computable(totalsOnly, CATALOG.device("H100 SXM5 80GB"))).isFalse();
    assertThat(TrtllmBenchTuning.computable(CATALOG.model("Hunyuan-A13B"), CATALOG.device("H100 SXM5 80GB")))
        .isTrue();
    assertThat(TrtllmBenchTuning.computable(CATALOG.model("Mixtral 8x22B"), CATALOG.device("H100 SXM5 80GB")))
        .isTrue();
    assertThat(TrtllmBenchTuning.computable(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB")))
        .isTrue();
    assertThatThrownBy(() -> TrtllmBenchTuning.requests(totalsOnly,
        CATALOG.device("H100 SXM5 80GB"), CATALOG.quant("FP8"), KvCacheType.FP8, new ParallelLayout(8, 8, 1, 1), 128,
        128))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("totals only");
  }

  @Test
  void aTrtllmBenchRowRunsAtItsTuningUnlessTheNotesStateASetting() {
    ServingCsv csv = new ServingCsv(CATALOG, EngineDefaults.shipped(), new StepPhysics(new Roofline(CATALOG)));
    String header = "source_id,engine,engine_version,device,num_devices,tp,pp,ep,model,weight_dtype,kv_dtype,isl,osl,"
        + "dataset,concurrency,request_rate,num_prompts,batch,req_per_s,output_tps,total_tps,ttft_mean_ms,"
        + "ttft_median_ms,tpot_mean_ms,tpot_median_ms,itl_mean_ms,prefill_tps,decode_tps,notes\n";
    String row = "s,TensorRT-LLM,0.17,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,FP8,FP8,128,2048,fixed,,inf,3000,,,20000,,"
        + ",,,,,,,";
    ServingData d = csv.read(new StringReader(header
        + row + "trtllm-bench throughput (offline)\n"
        + row + "trtllm-bench throughput; max_num_seqs=256\n"
        + row + "trtllm-serve\n"), "t.csv");
    assertThat(d.used()).hasSize(3);
    EngineLimits tuned = d.used().get(0).scenario().engine().limits();
    assertThat(tuned.maxBatch()).isEqualTo(640);
    assertThat(tuned.maxTokensPerStep()).isEqualTo(2048);
    // a stated batch limit overrides the tuning's, the tuned budget stays
    EngineLimits stated = d.used().get(1).scenario().engine().limits();
    assertThat(stated.maxBatch()).isEqualTo(256);
    assertThat(stated.maxTokensPerStep()).isEqualTo(2048);
    // not a trtllm-bench run: the engine's defaults
    assertThat(d.used().get(2).scenario().engine().limits()).isEqualTo(TRT);
  }
}
