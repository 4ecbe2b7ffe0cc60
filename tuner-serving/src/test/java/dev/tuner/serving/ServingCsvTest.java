package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class ServingCsvTest {
  private static final String HEADER = "source_id,engine,engine_version,device,num_devices,tp,pp,ep,model,"
      + "weight_dtype,kv_dtype,isl,osl,dataset,concurrency,request_rate,num_prompts,batch,req_per_s,output_tps,"
      + "total_tps,ttft_mean_ms,ttft_median_ms,tpot_mean_ms,tpot_median_ms,itl_mean_ms,prefill_tps,decode_tps,notes\n";
  private static final Catalog CATALOG = Catalog.shipped();
  private static final ServingCsv CSV = new ServingCsv(CATALOG, EngineDefaults.shipped(),
      new StepPhysics(new Roofline(CATALOG)));
  /** DeepSeek-R1 on 8 H200s under SGLang, 50 prompts of 1 000 + 2 000 tokens at 10/s: every column but the notes. */
  private static final String R1_AT_10_PER_S = "s,SGLang,0.4.5.post1,H200 SXM 141GB,8,8,1,,DeepSeek-R1,FP8,,1000,2000,"
      + "fixed,,10,50,,,960,,4181,,48.9,,,,,";

  @Test
  void everyRowIsUsedOrRejectedWithItsReason() {
    String rows = HEADER
        + "s,TensorRT-LLM,0.17,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,FP8,FP8,128,128,fixed,,inf,3000,,,20000,,,,,,,,,\n"
        + "s,TensorRT-LLM,0.9,H100 SXM5 80GB,2,2,1,,Llama 3.1 70B,FP8,FP8,128,128,fixed,,,,64,,,,,,,,,,,"
        + "out_tok_s_per_gpu=1000\n"
        + "s,vLLM,0.8,H100 SXM5 80GB,1,1,1,,No Such Model,FP8,,128,128,fixed,4,,,,,100,,,,,,,,,\n"
        + "s,vLLM,0.8,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,FP8,,128,128,fixed,4,,,,,,,,,,,,,,\n"
        + "s,SGLang,0.4,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,BF16,,1024,1024,random (tool default: lengths may be "
        + "sampled below the nominal value),,16,200,,,100,,,,,,,,,\n"
        + "s,TGI,1,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,BF16,,128,128,fixed,4,,,,,100,,,,,,,,,\n";
    ServingData d = CSV.read(new StringReader(rows), "t.csv");
    assertThat(d.rows()).isEqualTo(6);
    assertThat(d.used()).hasSize(2);
    assertThat(d.used().get(0).scenario().workload().load()).isInstanceOf(Load.Offline.class);
    assertThat(d.used().get(0).observed()).containsEntry(Metric.OUTPUT_TPS, 20000.0);
    // per-GPU figure times the 2 GPUs
    assertThat(d.used().get(1).observed()).containsEntry(Metric.OUTPUT_TPS, 2000.0);
    assertThat(d.used().get(1).family()).isEqualTo("GH100");
    assertThat(d.rejected()).extracting(ServingData.Rejected::reason).containsExactly(
        "model 'No Such Model' not in the catalog",
        "no metric in the columns or the notes",
        "lengths sampled by an unstated rule (dataset: random (tool default: lengths may be sampled below the"
            + " nominal value))",
        "engine 'TGI' is none of " + EngineKind.ALLOWED);
    assertThat(d.rejected().get(0).where()).isEqualTo("t.csv:4");
  }

  @Test
  void anEngineCellWithMoreLettersIsRejectedNotReadAsTheEngineItStartsWith() {
    String rows = HEADER
        + "s,vLLMx,0.8,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,BF16,,1000,200,fixed,16,,,,,3000,,,,,,,,,\n"
        + "s,vLLM (rocm/vllm docker),0.8,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,BF16,,1000,200,fixed,16,,,,,3000,,,,,"
        + ",,,,\n";
    ServingData d = CSV.read(new StringReader(rows), "t.csv");
    assertThat(d.used()).singleElement().satisfies(u -> assertThat(u.scenario().engine().kind())
        .isEqualTo(EngineKind.VLLM));
    assertThat(d.rejected()).extracting(ServingData.Rejected::reason).containsExactly(
        "engine 'vLLMx' is none of " + EngineKind.ALLOWED);
  }

  @Test
  void aMedianItlIsItsOwnMetricBesideTheTpotAndNeverReadAsOne() {
    String rows = HEADER
        // a mean TPOT and, in the notes, a median ITL: both
        + "s,vLLM,0.8,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,BF16,,1000,200,fixed,16,,,,,,,,,24.5,,,,,"
        + "median_itl_ms=19.25\n"
        // a median ITL alone: no TPOT is made of it
        + "s,SGLang,0.4,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,BF16,,1000,200,fixed,,inf,500,,,3000,,,,,,,,,"
        + "median_itl_ms=40.5\n";
    ServingData d = CSV.read(new StringReader(rows), "t.csv");
    assertThat(d.used()).hasSize(2);
    assertThat(d.used().get(0).observed()).containsEntry(Metric.TPOT_MS, 24.5).containsEntry(Metric.ITL_MS, 19.25);
    assertThat(d.used().get(1).observed()).containsEntry(Metric.ITL_MS, 40.5).doesNotContainKey(Metric.TPOT_MS);
  }

  @Test
  void aRowOfAReportedEngineDefectIsRejectedWithTheReport() {
    String tail = ",,1,2048,fixed,,,,1,,30,,,,,,,,,\n";
    String rows = HEADER
        // the reported path: SGLang 0.4.6, GPTQ weights, a mixture of experts
        + "s,SGLang,0.4.6.post1,H20,1,1,1,,Qwen3-30B-A3B,GPTQ-INT4" + tail
        // the same release with a dense GPTQ model, or an FP8 mixture of experts: other kernels, kept
        + "s,SGLang,0.4.6.post1,H20,1,1,1,,Qwen3-8B,GPTQ-Int8" + tail
        + "s,SGLang,0.4.6.post1,H20,1,1,1,,Qwen3-30B-A3B,FP8" + tail
        // a later release (one that only starts with the same digits too), and another engine: kept
        + "s,SGLang,0.4.9,H20,1,1,1,,Qwen3-30B-A3B,GPTQ-INT4" + tail
        + "s,SGLang,0.4.60,H20,1,1,1,,Qwen3-30B-A3B,GPTQ-INT4" + tail
        + "s,vLLM,0.4.6,H20,1,1,1,,Qwen3-30B-A3B,GPTQ-INT4" + tail;
    ServingData d = CSV.read(new StringReader(rows), "t.csv");
    assertThat(d.used()).extracting(ServingRow::where).containsExactly("t.csv:3", "t.csv:4", "t.csv:5", "t.csv:6",
        "t.csv:7");
    assertThat(d.rejected()).singleElement().satisfies(r -> {
      assertThat(r.where()).isEqualTo("t.csv:2");
      assertThat(r.reason())
          .startsWith("measures a reported engine defect: the GPTQ mixture-of-experts path of SGLang 0.4.6")
          .contains("sgl-project/sglang#6313");
    });
  }

  @Test
  void aRowThatRanAttentionDataParallelIsPredictedWithItsGroupsAndOneWithoutItsSizeIsRejected() {
    String rows = HEADER
        + R1_AT_10_PER_S + "server: sglang.launch_server --tp 8 --enable-dp-attention --dp-size 8 --disable-radix-cache\n"
        + R1_AT_10_PER_S + "server: sglang.launch_server --tp 8\n"
        + R1_AT_10_PER_S + "server: sglang.launch_server --tp 8 --enable-dp-attention\n"
        + R1_AT_10_PER_S + "server: sglang.launch_server --tp 8 --enable-dp-attention --dp-size 3\n"
        // a document's example command naming TensorRT-LLM's switch says nothing of what the row ran: tp only
        + "s,TensorRT-LLM,1.0,H200 SXM 141GB,8,8,1,,DeepSeek-R1,FP8,,128,128,fixed,,inf,3000,,,20000,,,,,,,,,"
        + "doc MoE command uses enable_attention_dp\n";
    ServingData d = CSV.read(new StringReader(rows), "t.csv");
    assertThat(d.used()).extracting(ServingRow::where).containsExactly("t.csv:2", "t.csv:3", "t.csv:6");
    assertThat(d.used()).extracting(r -> r.scenario().attentionDp()).containsExactly(8, 1, 1);
    assertThat(d.rejected()).extracting(ServingData.Rejected::where).containsExactly("t.csv:4", "t.csv:5");
    assertThat(d.rejected().get(0).reason()).isEqualTo("attention data parallelism (--enable-dp-attention) without"
        + " its --dp-size");
    assertThat(d.rejected().get(1).reason()).isEqualTo("attention data parallelism of 3 groups, which do not divide"
        + " tp 8");
  }

  @Test
  void attentionGroupsStatedInTheNotesComeBeforeAnSglangCommand() {
    String rows = HEADER
        + R1_AT_10_PER_S + "attention_dp=8\n"
        + R1_AT_10_PER_S + "attention_dp=2; server: sglang.launch_server --tp 8 --enable-dp-attention --dp-size 4\n"
        + R1_AT_10_PER_S + "attention_dp=16\n";
    ServingData d = CSV.read(new StringReader(rows), "t.csv");
    assertThat(d.used()).extracting(r -> r.scenario().attentionDp()).containsExactly(8, 2);
    assertThat(d.rejected()).extracting(ServingData.Rejected::reason).containsExactly(
        "attention data parallelism of 16 groups, which do not divide tp 8");
  }

  @Test
  void aModelNamedWithoutItsVersionIsUsedWhereItsVersionsComputeTheSame() {
    String head = "s,TensorRT-LLM,0.14,H100 SXM5 80GB,1,1,1,,Mistral 7B,FP16,,";
    String tail = ",fixed,,inf,3000,,,9000,,,,,,,,,\n";
    String rows = HEADER
        // 128 + 2048 tokens: v0.1's 4 096-token window is never reached, so v0.1, v0.2 and v0.3 compute the same
        + head + "128,2048" + tail
        // 20 000 + 2 000: v0.1 attends within its window, v0.2 and v0.3 over everything
        + head + "20000,2000" + tail;
    ServingData d = CSV.read(new StringReader(rows), "t.csv");
    assertThat(d.used()).singleElement().satisfies(r -> {
      assertThat(r.where()).isEqualTo("t.csv:2");
      assertThat(r.scenario().model().name()).startsWith("Mistral 7B v");
    });
    assertThat(d.rejected()).singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo(
        "model 'Mistral 7B' names 3 catalog versions (Mistral 7B v0.3, Mistral 7B v0.1, Mistral 7B v0.2) that differ"
            + " at 22000 tokens: attention (a sliding window of 4096 tokens that the row's context reaches)"));
  }

  @Test
  void aReasonCountsUnderOneKindWhateverItsDatasetSays() {
    // dataset descriptions carry parentheses of their own; the kind must not keep a stray ")" from them
    assertThat(ServingEvaluator.reasonKind("lengths sampled by an unstated rule (dataset: random (tool default:"
        + " lengths may be sampled below the nominal value))")).isEqualTo("lengths sampled by an unstated rule");
    assertThat(ServingEvaluator.reasonKind("input/output lengths not stated (dataset: ShareGPT (sglang.bench_serving"
        + " --dataset-name sharegpt))")).isEqualTo("input/output lengths not stated");
    assertThat(ServingEvaluator.reasonKind("input/output lengths not stated (dataset: )"))
        .isEqualTo("input/output lengths not stated");
    assertThat(ServingEvaluator.reasonKind("model 'Qwen3 8B' not in the catalog"))
        .isEqualTo("model X not in the catalog");
    // figures outside quotes are read, not masked
    assertThat(ServingEvaluator.reasonKind("tp 3 does not divide the 32 attention heads of Llama 3.1 8B"))
        .isEqualTo("tp 3 does not divide the 32 attention heads of Llama 3.1 8B");
  }
}
