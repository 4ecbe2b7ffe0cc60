package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuner.core.io.Csv;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serving predictions, evaluation and training through the command's entry point. */
class ServingCommandTest {
  /** The columns of data/serving.csv, with its line break. */
  private static final String HEADER = "source_id,engine,engine_version,device,num_devices,tp,pp,ep,model,weight_dtype,"
      + "kv_dtype,isl,osl,dataset,concurrency,request_rate,num_prompts,batch,req_per_s,output_tps,total_tps,"
      + "ttft_mean_ms,ttft_median_ms,tpot_mean_ms,tpot_median_ms,itl_mean_ms,prefill_tps,decode_tps,notes\n";
  private static final String[] VLLM = {"predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB",
      "--quant", "FP8", "--engine", "vllm", "--isl", "1000", "--osl", "200"};

  @Test
  void predictPrintsServingMetricsWithIntervals() {
    Cli.Result r = Cli.run(VLLM, "--concurrency", "20", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    for (String k : new String[] {"ttft_ms", "tpot_ms", "itl_ms", "e2e_ms", "requests_per_s", "output_tokens_per_s",
        "total_tokens_per_s", "output_tokens_per_s_per_gpu"}) {
      assertThat(j.get(k).asDouble()).as(k).isPositive();
      assertThat(j.get("intervals").get(k).get("low").asDouble()).as(k).isLessThanOrEqualTo(j.get(k).asDouble());
    }
    // the median gap is a decode iteration's, which the prompts of later requests do not stall: at most the mean one
    assertThat(j.get("itl_ms").asDouble()).isLessThanOrEqualTo(j.get("tpot_ms").asDouble());
    // 20 clients in a closed loop: requests/s = 20 / E2E
    assertThat(j.get("requests_per_s").asDouble()).isCloseTo(20 / (j.get("e2e_ms").asDouble() / 1000),
        org.assertj.core.api.Assertions.within(1e-6));
    assertThat(j.get("limited_by").asText()).isNotEmpty();
  }

  /**
   * --explain shows what the serving prediction rests on: the terms and where they come from, and one decode
   * iteration part by part, whose parts add up to it as the terms compose them.
   */
  @Test
  void explainShowsTheTermsAndOneDecodeIteration() {
    Cli.Result table = Cli.run(VLLM, "--concurrency", "20", "--explain");
    assertThat(table.exit()).as(table.toString()).isZero();
    assertThat(table.out()).contains("Serving arithmetic (one decode iteration of", "learned from the serving rows"
        + " of vllm", "collectives", "engine overhead", "iteration");
    Cli.Result json = Cli.run(VLLM, "--concurrency", "20", "--explain", "--format", "json");
    assertThat(json.exit()).as(json.toString()).isZero();
    JsonNode e = json.json().get("explain");
    JsonNode u = e.get("under_terms_s");
    double sum = Math.max(u.get("weights").asDouble(), u.get("linear").asDouble())
        + Math.max(u.get("kv").asDouble(), u.get("attention").asDouble()) + u.get("collectives").asDouble()
        + u.get("overhead").asDouble();
    assertThat(e.get("iteration_s").asDouble()).isPositive().isCloseTo(sum, org.assertj.core.api.Assertions
        .within(1e-12));
    assertThat(e.get("sequences").asDouble()).isEqualTo(Math.max(1, json.json().get("running").asDouble()));
    JsonNode peak = e.get("at_peak_s");
    assertThat(u.get("weights").asDouble()).isCloseTo(peak.get("weights").asDouble()
        / e.get("terms").get("bandwidth_efficiency").asDouble(), org.assertj.core.api.Assertions.within(1e-15));
    assertThat(Cli.run(VLLM, "--concurrency", "20").out()).doesNotContain("Serving arithmetic");
  }

  /** The KV cache's type sets how many sequences fit: left to its default, the prediction says which it took. */
  @Test
  void anUnstatedKvCacheTypeIsNamed() {
    Cli.Result unstated = Cli.run(VLLM, "--concurrency", "20");
    assertThat(unstated.exit()).as(unstated.toString()).isZero();
    assertThat(unstated.out()).contains("  - no --kv-cache-type given: f16 assumed");
    Cli.Result json = Cli.run(VLLM, "--concurrency", "20", "--format", "json");
    assertThat(json.json().get("assumptions").get(0).asText()).startsWith("no --kv-cache-type given: f16 assumed")
        .doesNotContain("TensorRT-LLM");
    // the lengths the composition ran at are numbers; how they were given stands beside them
    assertThat(json.json().get("scenario").get("isl").isNumber()).isTrue();
    assertThat(json.json().get("scenario").get("osl").asDouble()).isPositive();
    assertThat(json.json().get("scenario").get("isl_lengths").isTextual()).isTrue();
    Cli.Result stated = Cli.run(VLLM, "--concurrency", "20", "--kv-cache-type", "fp8");
    assertThat(stated.exit()).as(stated.toString()).isZero();
    assertThat(stated.out()).doesNotContain("--kv-cache-type").contains("KV cache fp8");
  }

  /**
   * gpt-oss ships its experts in MXFP4 and everything else in BF16: plain MXFP4 (every weight at 4.25 bits) is noted
   * towards MXFP4_EXPERTS_F16, which reads the rest at 16 bits, so an iteration takes longer; TensorRT-LLM loads that
   * checkpoint layout but not llama.cpp's MXFP4_MOE files.
   */
  @Test
  void aMixtureInPlainMxfp4IsNotedTowardsItsCheckpointsLayout() {
    String[] gptOss = {"predict", "--model", "gpt-oss-120b", "--device", "H100 SXM5 80GB", "--isl", "1000", "--osl",
        "200", "--concurrency", "4", "--kv-cache-type", "fp8", "--format", "json"};
    Cli.Result plain = Cli.run(gptOss, "--engine", "vllm", "--quant", "MXFP4");
    assertThat(plain.exit()).as(plain.toString()).isZero();
    assertThat(plain.json().get("assumptions").toString())
        .contains("a mixture of experts in MXFP4 reads every weight at 4.25 bits").contains("--quant MXFP4_EXPERTS_F16");
    Cli.Result layout = Cli.run(gptOss, "--engine", "vllm", "--quant", "MXFP4_EXPERTS_F16");
    assertThat(layout.exit()).as(layout.toString()).isZero();
    assertThat(layout.json().get("assumptions").toString()).doesNotContain("MXFP4_EXPERTS_F16");
    assertThat(layout.json().get("tpot_ms").asDouble()).isGreaterThan(plain.json().get("tpot_ms").asDouble());
    Cli.Result trt = Cli.run(gptOss, "--engine", "tensorrt-llm", "--quant", "MXFP4_EXPERTS_F16");
    assertThat(trt.exit()).as(trt.toString()).isZero();
    Cli.Result gguf = Cli.run(gptOss, "--engine", "tensorrt-llm", "--quant", "MXFP4_MOE");
    assertThat(gguf.exit()).isEqualTo(2);
    assertThat(gguf.err()).contains("not a GGUF block type such as MXFP4_MOE");
    // a dense model in MXFP4 is no such case
    Cli.Result dense = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--engine",
        "vllm", "--quant", "MXFP4", "--isl", "1000", "--osl", "200", "--concurrency", "4");
    assertThat(dense.exit()).as(dense.toString()).isZero();
    assertThat(dense.out()).doesNotContain("mixture of experts");
  }

  @Test
  void anEngineBackendOrWeightFormatThatCannotRunIsRefusedAndRecommendDropsIt() {
    // TensorRT-LLM runs on NVIDIA GPUs only (data/SOURCES.md doc_engine_platforms)
    Cli.Result trt = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "Apple M2 Ultra (76-core GPU)",
        "--quant", "FP16", "--engine", "tensorrt-llm", "--isl", "512", "--osl", "128", "--concurrency", "4");
    assertThat(trt.exit()).as(trt.toString()).isNotZero();
    assertThat(trt.err()).contains("engine = tensorrt-llm on Apple M2 Ultra (76-core GPU) (Apple) is invalid",
        "an engine that runs on Apple devices: llama.cpp, vllm, sglang, mlx").doesNotContain("Exception");
    // llama.cpp runs on an H100, but not through Metal
    Cli.Result metal = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant",
        "Q4_K_M", "--engine", "llama.cpp", "--backend", "Metal", "--isl", "512", "--osl", "128", "--concurrency", "4");
    assertThat(metal.exit()).as(metal.toString()).isNotZero();
    assertThat(metal.err()).contains("backend = metal on H100 SXM5 80GB (NVIDIA)", "cuda, vulkan, sycl");
    // a GGUF file is llama.cpp's (and vLLM's), not TensorRT-LLM's
    Cli.Result gguf = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant", "Q4_K_M",
        "--engine", "tensorrt-llm", "--isl", "512", "--osl", "128", "--concurrency", "4");
    assertThat(gguf.exit()).as(gguf.toString()).isNotZero();
    assertThat(gguf.err()).contains("quantization = Q4_K_M on tensorrt-llm is invalid", "not a GGUF block type");
    // on an MI300X recommend predicts vLLM and drops TensorRT-LLM, saying why
    Cli.Result r = Cli.run("recommend", "--model", "Llama 3.1 8B", "--device", "AMD Instinct MI300X", "--isl",
        "1000", "--osl", "200", "--engines", "vllm,tensorrt-llm", "--quants", "BF16", "--gpus", "1", "--format",
        "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    for (JsonNode c : r.json().get("top")) {
      assertThat(c.get("engine").asText()).isEqualTo("vllm");
    }
    assertThat(r.json().get("dropped")).isNotEmpty().allSatisfy(d -> {
      assertThat(d.get("engine").asText()).isEqualTo("tensorrt-llm");
      assertThat(d.get("reason").asText()).contains("an engine that runs on AMD devices: llama.cpp, vllm, sglang");
    });
    // the table counts them by engine and reason; --verbose lists each configuration
    String[] table = {"recommend", "--model", "Llama 3.1 8B", "--device", "AMD Instinct MI300X", "--isl", "1000",
        "--osl", "200", "--engines", "vllm,tensorrt-llm", "--quants", "BF16,FP8", "--gpus", "1"};
    Cli.Result counted = Cli.run(table);
    Cli.Result listed = Cli.run(table, "--verbose");
    assertThat(counted.out()).contains("Dropped (2; --verbose or JSON lists each)")
        .contains("tensorrt-llm  2 (BF16, FP8)");
    assertThat(listed.out()).contains("Dropped (2)")
        .contains("tensorrt-llm  BF16, KV f16, on 1 GPU (tp 1, pp 1, ep 1)")
        .contains("tensorrt-llm  FP8, KV fp8, on 1 GPU (tp 1, pp 1, ep 1)");
  }

  @Test
  void anEngineNameWithMoreLettersIsATypoForPredictAndRecommend() {
    for (String typo : List.of("vllmx", "vllm is great", "sglangggg")) {
      Cli.Result p = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "H100", "--quant", "FP8", "--engine",
          typo, "--isl", "1000", "--osl", "200", "--concurrency", "8");
      assertThat(p.exit()).as(p.toString()).isEqualTo(2);
      assertThat(p.err()).contains("engine = " + typo + " is invalid: expected llama.cpp, ollama, vllm, sglang")
          .doesNotContain("Serving scenario");
    }
    Cli.Result r = Cli.run("recommend", "--model", "Llama 3.1 8B", "--device", "H100", "--isl", "1000", "--osl",
        "200", "--engines", "vllmx");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("engine = vllmx is invalid");
    Cli.Result versioned = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "H100", "--quant", "FP8",
        "--engine", "TensorRT-LLM v0.20", "--isl", "1000", "--osl", "200", "--concurrency", "8");
    assertThat(versioned.exit()).as(versioned.toString()).isZero();
    assertThat(versioned.out()).contains("tensorrt-llm");
  }

  @Test
  void aTensorParallelSizeThatSplitsAnAttentionHeadIsRefusedAndRecommendDropsIt() {
    // vLLM shards whole heads: Llama 3.1 8B's 32 do not divide over 3 GPUs (data/SOURCES.md doc_tp_head_divisibility)
    Cli.Result three = Cli.run(VLLM, "--concurrency", "4", "--tp", "3", "--devices", "3");
    assertThat(three.exit()).as(three.toString()).isNotZero();
    assertThat(three.err()).contains("layout = tp 3, pp 1, ep 1 of Llama 3.1 8B is invalid",
        "tp 3 does not divide the 32 attention heads (tensor-parallel sizes that do: 1, 2, 4, 8, 16, 32)")
        .doesNotContain("Exception");
    // Qwen2.5 7B has 28 heads and 4 KV heads: recommend keeps tp 1, 2 and 4 on 8 GPUs and drops tp 8, saying why
    Cli.Result r = Cli.run("recommend", "--model", "Qwen2.5 7B", "--device", "H100 SXM5 80GB", "--isl", "1000",
        "--osl", "200", "--engines", "vllm", "--quants", "BF16", "--gpus", "8", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("top")).isNotEmpty().allSatisfy(c -> assertThat(c.get("tp").asInt()).isLessThan(8));
    assertThat(r.json().get("dropped")).isNotEmpty().allSatisfy(d ->
        assertThat(d.get("reason").asText()).contains("tp 8 does not divide the 28 attention heads"));
  }

  @Test
  void aServingModelAddedToTheCatalogSizesItsKvCacheFromItsShape() {
    // InternLM 20B (LMDeploy's benchmark names it internlm-chat-20b): 60 layers of 40 KV heads of 128 (MHA), so an
    // FP16 token holds 2 × 60 × 40 × 128 × 2 = 1 228 800 bytes, 614 400 per GPU at tp 2. LMDeploy pages as it goes, so
    // a request of 2 048 + 2 048 tokens holds 2 048 + 2 048/2 = 3 072 on average, 614 400 × 3 072 = 1 887 436 800
    // bytes per GPU; TensorRT-LLM reserves the whole 4 096, 614 400 × 4 096 = 2 516 582 400 bytes: the cache the
    // command states holds that many fewer
    assertHolds("lmdeploy", 3072, 1_887_436_800.0);
    assertHolds("tensorrt-llm", 4096, 2_516_582_400.0);
  }

  private static void assertHolds(String engine, int tokens, double bytesPerRequest) {
    Cli.Result r = Cli.run("predict", "--model", "internlm/internlm-chat-20b", "--device", "A100 SXM4 80GB", "--quant",
        "FP16", "--engine", engine, "--tp", "2", "--isl", "2048", "--osl", "2048", "--offline", "--prompts", "3000",
        "--kv-cache-fraction", "0.9", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    String detail = r.json().get("limit_detail").asText();
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("KV cache of ([0-9.]+) GB per GPU holds ([0-9]+) requests of " + tokens + " tokens").matcher(detail);
    assertThat(m.find()).as(detail).isTrue();
    double cacheBytes = Double.parseDouble(m.group(1)) * 1e9;
    assertThat(Integer.parseInt(m.group(2))).isEqualTo((int) Math.round(cacheBytes / bytesPerRequest));
  }

  @Test
  void aClosedLoopOfFixedLengthsRunsInLockstepAndCountsItsFirstWave() {
    Cli.Result endless = Cli.run(VLLM, "--concurrency", "64", "--format", "json");
    Cli.Result oneWave = Cli.run(VLLM, "--concurrency", "64", "--prompts", "64", "--format", "json");
    Cli.Result sampled = Cli.run(VLLM, "--concurrency", "64", "--prompts", "64", "--isl-sd", "100",
        "--format", "json");
    for (Cli.Result r : List.of(endless, oneWave, sampled)) {
      assertThat(r.exit()).as(r.toString()).isZero();
    }
    // 64 prompts of 1 000 tokens take ceil(64 000 / 8 192) = 8 iterations of vLLM's token budget
    assertThat(endless.json().get("limit_detail").asText()).contains("64 clients in lockstep", "in 8 iterations");
    // the first wave waits (1 + 8)/2 = 4.5 of them on average, a later request one: a run of one wave has the
    // larger TTFT, and the same decode
    JsonNode first = oneWave.json();
    assertThat(first.get("ttft_ms").asDouble()).isGreaterThan(3 * endless.json().get("ttft_ms").asDouble());
    assertThat(first.get("tpot_ms").asDouble()).isEqualTo(endless.json().get("tpot_ms").asDouble());
    assertThat(first.get("requests_per_s").asDouble()).isCloseTo(64 / (first.get("e2e_ms").asDouble() / 1000),
        org.assertj.core.api.Assertions.within(1e-6));
    // lengths that vary do not stay in step: the steady state of continuous batching
    assertThat(sampled.json().get("limit_detail").asText()).doesNotContain("lockstep");
  }

  @Test
  void aRequestRateBelowCapacityIsLimitedByArrivals() {
    Cli.Result r = Cli.run(VLLM, "--request-rate", "0.5", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("limited_by").asText()).isEqualTo("arrival_rate");
    assertThat(r.json().get("requests_per_s").asDouble()).isEqualTo(0.5);
    assertThat(r.json().get("scenario").get("load").asText()).isEqualTo("0.5 requests/s");
    Cli.Result table = Cli.run(VLLM, "--offline", "--prompts", "3000");
    assertThat(table.exit()).as(table.toString()).isZero();
    assertThat(table.out()).contains("TTFT", "output tokens/s per GPU", "limited by", ", offline, 3000 prompts")
        .doesNotContain("OptionalInt");
    Cli.Result loop = Cli.run(VLLM, "--concurrency", "20", "--format", "json");
    assertThat(loop.json().get("scenario").get("load").asText()).isEqualTo("concurrency 20");
    Cli.Result batch = Cli.run(VLLM, "--batch", "8", "--format", "json");
    assertThat(batch.json().get("scenario").get("load").asText()).isEqualTo("static batch of 8");
  }

  /**
   * DeepSeek-R1's MLA cache is held whole by every tensor-parallel rank; 8 attention groups (SGLang
   * --enable-dp-attention --dp-size 8) each hold their own sequences' only, so an offline run holds several times the
   * sequences; the groups must divide tp, run on an engine that has them, and mean nothing to a step prediction.
   */
  @Test
  void attentionGroupsHoldMoreSequencesOfAnMlaModelAndAreCheckedWhereGiven() {
    String[] r1 = {"predict", "--model", "DeepSeek-R1", "--device", "H200 SXM 141GB", "--quant", "FP8", "--engine",
        "sglang", "--devices", "8", "--tp", "8", "--isl", "1000", "--osl", "2000"};
    Cli.Result plain = Cli.run(r1, "--offline", "--format", "json");
    Cli.Result groups = Cli.run(r1, "--offline", "--attention-dp", "8", "--format", "json");
    for (Cli.Result r : List.of(plain, groups)) {
      assertThat(r.exit()).as(r.toString()).isZero();
    }
    assertThat(plain.json().get("scenario").get("attention_dp").asInt()).isEqualTo(1);
    assertThat(groups.json().get("scenario").get("attention_dp").asInt()).isEqualTo(8);
    assertThat(groups.json().get("running").asDouble()).isGreaterThan(4 * plain.json().get("running").asDouble());
    Cli.Result table = Cli.run(r1, "--concurrency", "64", "--attention-dp", "8");
    assertThat(table.out()).contains("8 x H200 SXM 141GB (tp 8, pp 1, ep 1, attention dp 8)");
    Cli.Result three = Cli.run(r1, "--concurrency", "64", "--attention-dp", "3");
    assertThat(three.exit()).isNotZero();
    assertThat(three.err()).contains("attention dp = 3", "a divisor of tp (8)").doesNotContain("Exception");
    String[] vllm = r1.clone();
    vllm[8] = "vllm";
    Cli.Result onVllm = Cli.run(vllm, "--concurrency", "64", "--attention-dp", "8");
    assertThat(onVllm.exit()).isNotZero();
    assertThat(onVllm.err()).contains("attention dp = 8 on vllm");
    Cli.Result step = Cli.run("predict", "--model", "DeepSeek-R1", "--device", "H200 SXM 141GB", "--quant", "FP8",
        "--devices", "8", "--tp", "8", "--attention-dp", "8");
    assertThat(step.exit()).isNotZero();
    assertThat(step.err()).contains("--attention-dp");
    // 50 prompts at 10/s, above the steady capacity, but never more in flight than the deployment holds
    Cli.Result run = Cli.run(r1, "--request-rate", "10", "--prompts", "50", "--format", "json");
    assertThat(run.json().get("limit_detail").asText()).contains("above the capacity of", "but its 50 prompts never"
        + " fill the");
    // recommend tries the groups only when asked: every rank its own group, on SGLang
    String[] recommend = {"recommend", "--model", "Qwen3-30B-A3B", "--device", "H100 SXM5 80GB", "--isl", "1000",
        "--osl", "200", "--engines", "sglang,vllm", "--quants", "FP8", "--gpus", "2", "--concurrencies", "8",
        "--format", "json", "--top", "20"};
    Cli.Result tried = Cli.run(recommend, "--attention-groups");
    Cli.Result untried = Cli.run(recommend);
    assertThat(tried.exit()).as(tried.toString()).isZero();
    assertThat(tried.json().get("evaluated").asInt()).isEqualTo(10);
    assertThat(untried.json().get("evaluated").asInt()).isEqualTo(8);
    assertThat(tried.json().get("top").findValues("attention_dp")).extracting(JsonNode::asInt).contains(2);
    assertThat(untried.json().get("top").findValues("attention_dp")).extracting(JsonNode::asInt).containsOnly(1);
    Cli.Result stepRecommend = Cli.run("recommend", "--model", "Qwen3-30B-A3B", "--device", "H100 SXM5 80GB",
        "--attention-groups");
    assertThat(stepRecommend.exit()).isNotZero();
    assertThat(stepRecommend.err()).contains("--attention-groups");
  }

  /**
   * 4 H100s holding gpt-oss-120b's experts a quarter each, as 4 replicas of one GPU (--ep 4) or as one replica of 4
   * attention groups (--tp 4 --ep 4 --attention-dp 4): either way each GPU's experts see all 64 sequences' tokens,
   * 0.87 of them touched per iteration, and the two serve alike (1 625 and 1 606 output tokens/s; 2 985 when the
   * replicas' experts counted only their own 16 sequences, 0.40 of them touched: 7.76 ms of weights at peak, not
   * 15.8).
   */
  @Test
  void replicasSharingTheirExpertsReadWhatTheWholeGroupsTokensTouch() {
    String[] gptOss = {"predict", "--model", "gpt-oss-120b", "--device", "H100", "--quant", "BF16", "--engine",
        "sglang", "--isl", "1000", "--osl", "500", "--concurrency", "64", "--explain", "--format", "json"};
    Cli.Result replicas = Cli.run(gptOss, "--ep", "4");
    Cli.Result groups = Cli.run(gptOss, "--tp", "4", "--ep", "4", "--attention-dp", "4");
    for (Cli.Result r : List.of(replicas, groups)) {
      assertThat(r.exit()).as(r.toString()).isZero();
    }
    double shared = replicas.json().get("output_tokens_per_s").asDouble();
    double grouped = groups.json().get("output_tokens_per_s").asDouble();
    assertThat(shared).isCloseTo(grouped, within(0.02 * grouped));
    assertThat(replicas.json().get("explain").get("at_peak_s").get("weights").asDouble())
        .isCloseTo(groups.json().get("explain").get("at_peak_s").get("weights").asDouble(), within(0.3e-3));
  }

  /**
   * A static batch runs in waves of what the engine runs at once, its sequence limit as well as its KV cache: 256
   * requests at --max-batch 64 are 4 waves of 64, and serve what a batch of 64 serves, limited by the engine (they
   * printed a decode iteration of 256, 6 852 tokens/s, whatever --max-batch said); 1 024 on vLLM's default 256 are 4
   * waves of 256, not 3 of 341 sized by the KV cache alone.
   */
  @Test
  void aStaticBatchRunsInWavesOfTheEnginesSequenceLimit() {
    Cli.Result limited = Cli.run(VLLM, "--batch", "256", "--max-batch", "64", "--format", "json");
    Cli.Result wave = Cli.run(VLLM, "--batch", "64", "--format", "json");
    Cli.Result whole = Cli.run(VLLM, "--batch", "256", "--format", "json");
    Cli.Result beyond = Cli.run(VLLM, "--batch", "1024", "--format", "json");
    for (Cli.Result r : List.of(limited, wave, whole, beyond)) {
      assertThat(r.exit()).as(r.toString()).isZero();
    }
    assertThat(limited.json().get("limited_by").asText()).isEqualTo("engine_batch_limit");
    assertThat(limited.json().get("limit_detail").asText()).isEqualTo("a batch of 256 runs in 4 waves of 64: engine"
        + " runs at most 64 sequences");
    assertThat(limited.json().get("running").asDouble()).isEqualTo(64);
    double perWave = wave.json().get("output_tokens_per_s").asDouble();
    assertThat(limited.json().get("output_tokens_per_s").asDouble()).isCloseTo(perWave, within(1e-6 * perWave));
    assertThat(limited.json().get("output_tokens_per_s").asDouble())
        .isLessThan(whole.json().get("output_tokens_per_s").asDouble());
    assertThat(beyond.json().get("limited_by").asText()).isEqualTo("engine_batch_limit");
    assertThat(beyond.json().get("limit_detail").asText()).startsWith("a batch of 1024 runs in 4 waves of 256");
    Cli.Result table = Cli.run(VLLM, "--batch", "256", "--max-batch", "64");
    assertThat(table.out()).contains("engine_batch_limit", "engine runs at most 64 sequences");
  }

  @Test
  void aRunOfKnownLengthAtARateNeverHasMoreInFlightThanItsPrompts() {
    Cli.Result endless = Cli.run(VLLM, "--request-rate", "200", "--format", "json");
    Cli.Result run = Cli.run(VLLM, "--request-rate", "200", "--prompts", "20", "--format", "json");
    for (Cli.Result r : List.of(endless, run)) {
      assertThat(r.exit()).as(r.toString()).isZero();
    }
    // 200 requests/s saturate the steady state; 20 of them arrive within 0.1 s and run as one wave beside each other
    assertThat(endless.json().get("limited_by").asText()).isNotEqualTo("arrival_rate");
    // an endless stream above capacity has no steady queue: the prediction says its TTFT leaves the wait out
    assertThat(endless.json().get("assumptions").toString()).contains("the queue grows while requests arrive",
        "without end in an endless stream, so TTFT and E2E leave out the wait in it");
    JsonNode short20 = run.json();
    assertThat(short20.get("scenario").get("load").asText()).isEqualTo("200 requests/s, 20 prompts");
    assertThat(short20.get("limited_by").asText()).isEqualTo("arrival_rate");
    assertThat(short20.get("running").asDouble()).isLessThanOrEqualTo(20);
    assertThat(short20.get("limit_detail").asText()).contains("over a run of 20 prompts");
    // the run's requests over its length, simulated: no longer than the last arrival (20/200 s) plus the E2E printed,
    // which counts the wave's queue for the token budget that the run's length leaves to the others' decodes, and
    // longer than the arrivals alone
    double perSecond = short20.get("requests_per_s").asDouble();
    assertThat(perSecond).isGreaterThanOrEqualTo(20 / (0.1 + short20.get("e2e_ms").asDouble() / 1000))
        .isLessThan(200);
    // the explanation says how long the run lasts: its 20 prompts over the requests/s printed (to 3 digits)
    java.util.regex.Matcher lasts = java.util.regex.Pattern.compile("the run of 20 prompts lasts ([0-9.]+) s")
        .matcher(short20.get("limit_detail").asText());
    assertThat(lasts.find()).as(short20.get("limit_detail").asText()).isTrue();
    assertThat(Double.parseDouble(lasts.group(1))).isCloseTo(20 / perSecond,
        org.assertj.core.api.Assertions.withinPercentage(0.5));
    assertThat(short20.get("tpot_ms").asDouble()).isLessThan(endless.json().get("tpot_ms").asDouble());
  }

  @Test
  void aRequestAtARateWaitsForTheIterationInFlight() {
    Cli.Result slow = Cli.run(VLLM, "--request-rate", "0.5", "--format", "json");
    Cli.Result busy = Cli.run(VLLM, "--request-rate", "8", "--format", "json");
    for (Cli.Result r : List.of(slow, busy)) {
      assertThat(r.exit()).as(r.toString()).isZero();
      // n in flight on average are Poisson (M/G/∞): an arrival finds an iteration of theirs in flight with
      // probability 1 − e^(−n), the share the explanation prints
      double n = r.json().get("running").asDouble();
      assertThat(r.json().get("limit_detail").asText()).contains(String.format(java.util.Locale.ROOT,
          "an iteration in flight at arrival %.0f%% of the time", 100 * (1 - Math.exp(-n))));
    }
    // more requests in flight: an iteration more often in flight, and a longer one
    assertThat(busy.json().get("running").asDouble()).isGreaterThan(slow.json().get("running").asDouble());
    assertThat(busy.json().get("ttft_ms").asDouble()).isGreaterThan(slow.json().get("ttft_ms").asDouble());
  }

  @Test
  void recommendMeetsTheBudgetsAtTheLowestCostAndPlotsTheServingCurve(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("serving.png");
    Cli.Result r = Cli.run("recommend", "--model", "Llama 3.1 70B", "--device", "H100 SXM5 80GB", "--isl", "1000",
        "--osl", "200", "--engines", "vllm,tensorrt-llm", "--quants", "BF16,FP8", "--gpus", "1,2,4",
        "--concurrencies", "1,16,64", "--max-ttft-ms", "500", "--max-tpot-ms", "40", "--gpu-hour-usd", "2.5",
        "--plot", png.toString(), "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    // 2 engines × 2 precisions × (1 + 3 + 6 layouts) × 3 concurrencies, less those of the layouts dropped
    assertThat(j.get("evaluated").asInt()).isPositive().isLessThanOrEqualTo(120);
    JsonNode best = j.get("top").get(0);
    assertThat(best.get("ttft_ms").asDouble()).isLessThanOrEqualTo(500);
    assertThat(best.get("tpot_ms").asDouble()).isLessThanOrEqualTo(40);
    // $2.5 per GPU-hour / (3600 s × tokens/s per GPU) × 1e6 tokens
    assertThat(best.get("usd_per_million_output_tokens").asDouble()).isCloseTo(
        2.5 / (3600 * best.get("output_tokens_per_s_per_gpu").asDouble()) * 1e6,
        org.assertj.core.api.Assertions.within(1e-9));
    for (JsonNode c : j.get("top")) {
      assertThat(c.get("usd_per_million_output_tokens").asDouble())
          .isGreaterThanOrEqualTo(best.get("usd_per_million_output_tokens").asDouble());
      // each listed configuration carries its prediction's intervals, each around a figure given beside it
      assertThat(c.get("intervals").fieldNames()).toIterable().contains("ttft_ms", "tpot_ms", "e2e_ms",
          "requests_per_s", "output_tokens_per_s", "output_tokens_per_s_per_gpu");
      for (java.util.Iterator<String> it = c.get("intervals").fieldNames(); it.hasNext(); ) {
        String metric = it.next();
        assertThat(c.has(metric)).as(metric).isTrue();
        JsonNode in = c.get("intervals").get(metric);
        assertThat(in.get("level").asDouble()).as(metric).isEqualTo(0.9);
        assertThat(in.get("low").asDouble()).as(metric).isLessThanOrEqualTo(c.get(metric).asDouble());
        assertThat(in.get("high").asDouble()).as(metric).isGreaterThanOrEqualTo(c.get(metric).asDouble());
      }
    }
    // 141 GB of BF16 weights cannot sit on one 80 GB GPU
    assertThat(j.get("dropped").toString()).contains("weights per GPU");
    byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 4);
    assertThat(head).containsExactly(0x89, 'P', 'N', 'G');
    Cli.Result none = Cli.run("recommend", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--isl", "1000",
        "--osl", "200", "--max-tpot-ms", "0.01");
    assertThat(none.exit()).as(none.toString()).isZero();
    assertThat(none.out()).contains("No configuration meets the budget.", "note: closest to the budget: ");
    Cli.Result half = Cli.run("recommend", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--isl", "10");
    assertThat(half.exit()).isEqualTo(2);
    assertThat(half.err()).contains("--osl");
  }

  private static final String[] SERVING_RECOMMEND = {"recommend", "--model", "Llama 3.1 70B", "--device",
      "H100 SXM5 80GB", "--isl", "1000", "--osl", "200", "--engines", "tensorrt-llm,vllm", "--quants", "BF16,FP8",
      "--gpus", "4,8", "--concurrencies", "16,32,64", "--max-ttft-ms", "500", "--max-tpot-ms", "30"};

  @Test
  void aServingRecommendationSaysItsKvCacheAndEachRowPredictsAsRecommended() {
    JsonNode r = Cli.json(SERVING_RECOMMEND, "--top", "4", "--format", "json");
    assertThat(r.get("notes").toString()).contains("KV cache fp8 with FP8 weights", "--kv-cache-type");
    assertThat(r.get("top")).hasSize(4);
    for (JsonNode row : r.get("top")) {
      // the rule: an FP8 cache with FP8 weights, f16 otherwise
      assertThat(row.get("kv_cache_type").asText()).isEqualTo(row.get("quant").asText().equals("FP8") ? "fp8" : "f16");
      // the row, copied into predict as the README shows, predicts the figures it was ranked by
      JsonNode p = Cli.json(new String[] {"predict", "--model", "Llama 3.1 70B", "--device", "H100 SXM5 80GB",
          "--isl", "1000", "--osl", "200", "--engine", row.get("engine").asText(), "--quant", row.get("quant").asText(),
          "--kv-cache-type", row.get("kv_cache_type").asText(), "--devices", row.get("gpus").asText(), "--tp",
          row.get("tp").asText(), "--pp", row.get("pp").asText(), "--ep", row.get("ep").asText(), "--concurrency",
          row.get("concurrency").asText(), "--format", "json"});
      for (String k : new String[] {"ttft_ms", "tpot_ms", "itl_ms", "e2e_ms", "requests_per_s",
          "output_tokens_per_s", "output_tokens_per_s_per_gpu"}) {
        assertThat(p.get(k).asDouble()).as(k).isEqualTo(row.get(k).asDouble());
        assertThat(p.get("intervals").get(k)).as(k).isEqualTo(row.get("intervals").get(k));
      }
    }
    // without its kv, predict takes f16 and an FP8 row's figures are not the recommended ones
    JsonNode fp8 = r.get("top").get(0);
    assertThat(fp8.get("kv_cache_type").asText()).isEqualTo("fp8");
    JsonNode f16 = Cli.json(new String[] {"predict", "--model", "Llama 3.1 70B", "--device", "H100 SXM5 80GB", "--isl",
        "1000", "--osl", "200", "--engine", fp8.get("engine").asText(), "--quant", "FP8", "--devices",
        fp8.get("gpus").asText(), "--tp", fp8.get("tp").asText(), "--concurrency", fp8.get("concurrency").asText(),
        "--format", "json"});
    assertThat(f16.get("scenario").get("kv_cache_type").asText()).isEqualTo("f16");
    assertThat(f16.get("output_tokens_per_s_per_gpu").asDouble())
        .isNotEqualTo(fp8.get("output_tokens_per_s_per_gpu").asDouble());
    // the table has the column too
    Cli.Result table = Cli.run(SERVING_RECOMMEND, "--top", "1");
    assertThat(table.out()).contains(" kv ", "note: KV cache fp8 with FP8 weights");
    Cli.Result csv = Cli.run(SERVING_RECOMMEND, "--top", "1", "--format", "csv");
    assertThat(csv.out().lines().findFirst().orElseThrow()).contains("quant,kv_cache_type,");
  }

  @Test
  void aServingRecommendationSearchesTheKvCacheTypesNamedAndPointsAStepBudgetToTpot() {
    JsonNode both = Cli.json(SERVING_RECOMMEND, "--quants", "FP8", "--kv-cache-types", "f16,fp8", "--top", "100",
        "--format", "json");
    assertThat(both.get("top").findValuesAsText("kv_cache_type")).contains("f16", "fp8");
    // types named replace the rule, which the notes then do not state
    assertThat(both.get("notes").toString()).doesNotContain("KV cache fp8 with FP8 weights");
    JsonNode f16 = Cli.json(SERVING_RECOMMEND, "--kv-cache-types", "f16", "--top", "100", "--format", "json");
    assertThat(f16.get("top").findValuesAsText("kv_cache_type")).isNotEmpty().containsOnly("f16");
    assertThat(f16.get("dropped").findValuesAsText("kv_cache_type")).containsOnly("f16");
    Cli.Result bad = Cli.run(SERVING_RECOMMEND, "--kv-cache-types", "f17");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("f17").doesNotContain("Exception");
    Cli.Result step = Cli.run(SERVING_RECOMMEND, "--max-ms-per-token", "30");
    assertThat(step.exit()).isEqualTo(2);
    assertThat(step.err()).contains("--max-ms-per-token = 30", "--max-tpot-ms");
  }

  /**
   * One output token per request has no gap after the first: TPOT, the median ITL, their intervals and tokens/s per
   * user are n/a in tables, null in JSON, empty in CSV (never 0, never NaN), under the keys they always have; a TPOT
   * budget for such requests is refused, naming the budget and why.
   */
  @Test
  void aOneTokenOutputHasNoTpotAndRefusesATpotBudget() {
    String[] one = {"predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant", "FP8", "--engine",
        "vllm", "--isl", "1000", "--osl", "1", "--concurrency", "8"};
    Cli.Result table = Cli.run(one);
    assertThat(table.exit()).as(table.toString()).isZero();
    assertThat(table.out()).containsPattern("TPOT +n/a +n/a").containsPattern("ITL \\(median\\) +n/a +n/a")
        .doesNotContain("0 ms").doesNotContain("NaN");
    JsonNode j = Cli.json(one, "--format", "json");
    for (String k : new String[] {"tpot_ms", "itl_ms"}) {
      assertThat(j.has(k)).as(k).isTrue();
      assertThat(j.get(k).isNull()).as(k).isTrue();
      assertThat(j.get("intervals").get(k).isNull()).as(k).isTrue();
    }
    assertThat(j.get("ttft_ms").asDouble()).isPositive().isEqualTo(j.get("e2e_ms").asDouble());
    Cli.Result csv = Cli.run(one, "--format", "csv");
    List<String> header = List.of(csv.out().lines().findFirst().orElseThrow().split(","));
    List<String> row = List.of(csv.out().lines().skip(1).findFirst().orElseThrow().split(",", -1));
    assertThat(row.get(header.indexOf("tpot_ms"))).isEmpty();
    assertThat(row.get(header.indexOf("itl_ms_high"))).isEmpty();
    String[] recommend = {"recommend", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--isl", "1000",
        "--osl", "1", "--engines", "vllm", "--gpus", "1", "--concurrencies", "1,8"};
    JsonNode r = Cli.json(recommend, "--format", "json");
    JsonNode best = r.get("top").get(0);
    for (String k : new String[] {"tpot_ms", "itl_ms", "tokens_per_s_per_user"}) {
      assertThat(best.get(k).isNull()).as(k).isTrue();
    }
    assertThat(best.get("intervals").get("tpot_ms").isNull()).isTrue();
    assertThat(Cli.run(recommend).out()).contains("n/a").doesNotContain("NaN");
    Cli.Result budget = Cli.run(recommend, "--max-tpot-ms", "5");
    assertThat(budget.exit()).isEqualTo(2);
    assertThat(budget.err()).contains("max TPOT = 5", "outputs one token").doesNotContain("Exception");
    Cli.Result plot = Cli.run(recommend, "--plot", "serving.png");
    assertThat(plot.exit()).isEqualTo(2);
    assertThat(plot.err()).contains("--plot", "--osl 1");
  }

  /**
   * {@code --request-rate inf}, which ingest --serving writes for runs without a rate limit and evaluate reads as
   * offline, predicts as --offline and says so; anything else that is no rate names what is allowed.
   */
  @Test
  void anUnboundedRequestRateIsAnOfflineRun() {
    for (String prompts : new String[] {null, "500"}) {
      String[] more = prompts == null ? new String[] {"--format", "json"}
          : new String[] {"--prompts", prompts, "--format", "json"};
      JsonNode offline = Cli.json(Cli.with(VLLM, "--offline"), more);
      for (String inf : new String[] {"inf", "INF", "Infinity"}) {
        JsonNode rate = Cli.json(Cli.with(VLLM, "--request-rate", inf), more);
        assertThat(rate.get("scenario").get("load").asText()).isEqualTo(offline.get("scenario").get("load").asText());
        for (String k : new String[] {"ttft_ms", "tpot_ms", "output_tokens_per_s", "requests_per_s"}) {
          assertThat(rate.get(k).asDouble()).as(k).isEqualTo(offline.get(k).asDouble());
        }
        assertThat(rate.get("assumptions").toString()).contains("--request-rate inf", "--offline");
      }
    }
    Cli.Result word = Cli.run(VLLM, "--request-rate", "fast");
    assertThat(word.exit()).isEqualTo(2);
    assertThat(word.err()).contains("--request-rate", "'fast'", "inf", "--offline").doesNotContain("Exception");
    Cli.Result both = Cli.run(VLLM, "--request-rate", "inf", "--offline");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("exactly one of them");
  }

  /** The summaries help prints say that predict and recommend also serve, not only decode steps. */
  @Test
  void helpSummariesNameServing() {
    Cli.Result top = Cli.run("--help");
    assertThat(top.out().replaceAll("\\s+", " ")).contains("serving metrics (TTFT, TPOT, requests/s)",
        "recommends the fastest configuration or serving deployment",
        "or with --isl and --osl the serving deployment (engine × GPUs × layout × precision × concurrency)");
    Cli.Result recommend = Cli.run("recommend", "--help");
    assertThat(recommend.out().replaceAll("\\s+", " ")).contains("Recommends the fastest decode configurations of one"
        + " model on one device, or with --isl and --osl the serving deployment");
  }

  @Test
  void csvCarriesTheScenarioAndEveryIntervalAsJsonDoes() throws Exception {
    Cli.Result csv = Cli.run(VLLM, "--concurrency", "20", "--format", "csv");
    assertThat(csv.exit()).as(csv.toString()).isZero();
    List<Csv.Row> rows = Csv.read(new StringReader(csv.out()), "stdout");
    assertThat(rows).hasSize(2);
    List<String> header = rows.get(0).fields();
    List<String> row = rows.get(1).fields();
    Function<String, String> cell = k -> row.get(header.indexOf(k));
    assertThat(cell.apply("quant")).isEqualTo("FP8");
    assertThat(cell.apply("isl")).isEqualTo("1000");
    assertThat(cell.apply("load")).isEqualTo("concurrency 20");
    JsonNode json = Cli.run(VLLM, "--concurrency", "20", "--format", "json").json();
    for (String k : new String[] {"ttft_ms", "tpot_ms", "itl_ms", "e2e_ms", "requests_per_s", "output_tokens_per_s",
        "total_tokens_per_s", "output_tokens_per_s_per_gpu"}) {
      assertThat(Double.parseDouble(cell.apply(k))).as(k).isEqualTo(json.get(k).asDouble());
      assertThat(Double.parseDouble(cell.apply(k + "_low"))).as(k)
          .isEqualTo(json.get("intervals").get(k).get("low").asDouble());
      assertThat(Double.parseDouble(cell.apply(k + "_high"))).as(k)
          .isEqualTo(json.get("intervals").get(k).get("high").asDouble());
    }
  }

  @Test
  void twoLoadsAtOnceAreOneClearError() {
    Cli.Result r = Cli.run(VLLM, "--offline", "--concurrency", "4");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("exactly one of them");
  }

  @Test
  void aLengthOrItsSpreadOutOfRangeNamesItsFlag() {
    String[] base = {"predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant", "FP8", "--engine",
        "vllm", "--offline"};
    Cli.Result spread = Cli.run(base, "--isl", "10", "--osl", "5", "--osl-sd", "30");
    assertThat(spread.exit()).isEqualTo(2);
    assertThat(spread.err()).contains("--osl-sd = 30 is invalid", "at most --osl");
    Cli.Result zero = Cli.run(base, "--isl", "0", "--osl", "5");
    assertThat(zero.exit()).isEqualTo(2);
    assertThat(zero.err()).contains("--isl = 0 is invalid", "tokens per request");
    Cli.Result zeroWithSpread = Cli.run(base, "--isl", "10", "--osl", "0", "--osl-sd", "3");
    assertThat(zeroWithSpread.err()).contains("--osl = 0 is invalid");
  }

  @Test
  void termsOfFormatFourKeepTheLatencyPerRequestTheyLearned(@TempDir Path dir) throws Exception {
    String v4 = """
        {"format": "tuner-serving-terms", "version": 4, "id": "v4", "level": 0.9,
         "pooled": {"overhead_s": 0.002, "per_sequence_s": 1e-5, "bandwidth_efficiency": 0.6,
                    "kv_efficiency": 0.8, "compute_efficiency": 0.5, "interconnect_efficiency": 0.3,
                    "request_s": REQUEST},
         "engines": {}, "log_half_width": {}, "rows": {}}
        """;
    Path with = dir.resolve("v4.json");
    Path without = dir.resolve("v4-none.json");
    Files.writeString(with, v4.replace("REQUEST", "0.05"));
    Files.writeString(without, v4.replace("REQUEST", "0"));
    // 16 prompts at once fit the KV cache: one wave, whose TTFT is the latency per request plus the prefill, so
    // 0.05 s of it adds 50 ms to the TTFT and nothing to the decode steps
    String[] offline = Cli.with(VLLM, "--offline", "--prompts", "16", "--format", "json", "--serving-terms");
    Cli.Result a = Cli.run(offline, with.toString());
    Cli.Result b = Cli.run(offline, without.toString());
    assertThat(a.exit()).as(a.toString()).isZero();
    assertThat(b.exit()).as(b.toString()).isZero();
    assertThat(a.json().get("ttft_ms").asDouble() - b.json().get("ttft_ms").asDouble())
        .isCloseTo(50.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(a.json().get("tpot_ms").asDouble()).isEqualTo(b.json().get("tpot_ms").asDouble());
  }

  @Test
  void aStatedMedianItlIsScoredAsTheMedianItlBesideTheTpot(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("serving.csv");
    Files.writeString(data, HEADER + "t,vLLM,0.8,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,FP8,,1000,200,fixed,20,,,,,,,,,30,,,,,median_itl_ms=25\n");
    Cli.Result r = Cli.run("evaluate", "--serving", "--data", data.toString(), "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode metrics = r.json().get("metrics");
    assertThat(metrics.get("itl_ms").get("n").asInt()).isEqualTo(1);
    assertThat(metrics.get("tpot_ms").get("n").asInt()).isEqualTo(1);
    assertThat(metrics.get("itl_ms").get("coverage").isNumber()).isTrue();
    assertThat(metrics.get("itl_ms").get("width").asDouble()).isGreaterThan(1.0);
  }

  @Test
  void trainAndEvaluateServingRows(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("serving.csv");
    StringBuilder csv = new StringBuilder(HEADER);
    String[] devices = {"H100 SXM5 80GB", "A100 SXM4 80GB"};
    int[] lengths = {128, 512, 2048};
    for (String d : devices) {
      for (int isl : lengths) {
        // figures of the right order for the test only: the fit must run and score, not match a source
        csv.append("t,TensorRT-LLM,0.17,").append(d).append(",1,1,1,,Llama 3.1 8B,FP16,,").append(isl)
            .append(",128,fixed,,inf,1000,,,").append(d.startsWith("H100") ? 9000 - isl : 5000 - isl)
            .append(",,,,,,,,,\n");
      }
    }
    csv.append("t,vLLM,0.8,H100 SXM5 80GB,1,1,1,,Unknown Model,FP16,,128,128,fixed,4,,,,,100,,,,,,,,,\n");
    // a release whose issue tracker reports this kernel path broken (KnownDefects)
    csv.append("t,SGLang,0.4.6.post1,H20,1,1,1,,Qwen3-30B-A3B,GPTQ-INT4,,1,2048,fixed,,,,1,,31,,,,,,,,,\n");
    Files.writeString(data, csv);
    Path terms = dir.resolve("terms.json");
    Path heldOut = dir.resolve("held-out.csv");
    Cli.Result train = Cli.run("train", "--serving", "--data", data.toString(), "--out", terms.toString(),
        "--cv-predictions", heldOut.toString(), "--format", "json");
    assertThat(train.exit()).as(train.toString()).isZero();
    // format 5 learns no latency per request (docs/EVALUATION.md, seventh serving change)
    assertThat(Files.readString(terms)).contains("tuner-serving-terms", "\"version\" : 6")
        .doesNotContain("request_s");
    // a header and one line per used row's metric (6 output throughputs), each with its fold and physics-only figure
    List<String> lines = Files.readAllLines(heldOut);
    assertThat(lines).hasSize(7);
    assertThat(lines.get(0)).startsWith("where,source_id,family,device,engine,load,").endsWith(",physics_only");
    assertThat(lines).filteredOn(l -> l.contains(",GA100,A100 SXM4 80GB,tensorrt-llm,offline,")).hasSize(3);
    JsonNode j = train.json();
    assertThat(j.get("rows").asInt()).isEqualTo(8);
    assertThat(j.get("used").asInt()).isEqualTo(6);
    assertThat(j.get("skipped").asInt()).isEqualTo(2);
    assertThat(j.get("skip_reasons").fieldNames()).toIterable()
        .anySatisfy(k -> assertThat(k).startsWith("measures a reported engine defect")
            .contains("sgl-project/sglang#6313"));
    assertThat(j.get("metrics").get("output_tps").get("n").asInt()).isEqualTo(6);
    assertThat(j.get("by_engine").has("tensorrt-llm")).isTrue();
    assertThat(j.get("by_device").has("H100 SXM5 80GB")).isTrue();
    // one fold per chip family, and the median's spread over devices drawn with replacement brackets nothing wider
    // than the per-device medians allow
    assertThat(j.get("by_family").has("GH100")).isTrue();
    assertThat(j.get("by_family").has("GA100")).isTrue();
    JsonNode spread = j.get("metrics").get("output_tps").get("median_ape_devices_90");
    assertThat(spread.get(0).asDouble()).isLessThanOrEqualTo(spread.get(1).asDouble());
    // every score states its interval's width, high over low: one width per metric per held-out fold, so a family's
    // is what each of its rows' held-out intervals spans in the --cv-predictions file
    String gh100 = lines.stream().filter(l -> l.contains(",GH100,H100 SXM5 80GB,")).findFirst().orElseThrow();
    String[] cells = gh100.split(",");
    double low = Double.parseDouble(cells[cells.length - 4]);
    double high = Double.parseDouble(cells[cells.length - 3]);
    JsonNode family = j.get("by_family").get("GH100").get("output_tps");
    assertThat(family.get("width").asDouble()).isCloseTo(high / low, org.assertj.core.data.Percentage.withPercentage(0.01));
    assertThat(family.get("coverage").isNumber()).isTrue();
    assertThat(j.get("metrics").get("output_tps").get("width").asDouble()).isGreaterThanOrEqualTo(1.0);
    assertThat(j.get("by_engine").get("tensorrt-llm").get("output_tps").has("width")).isTrue();
    assertThat(j.get("baseline").get("output_tps").get("width").isNull()).isTrue();
    // evaluate scores the terms it is given (in sample here: they were trained on these rows), not a new fit
    Path scored = dir.resolve("scored.csv");
    Cli.Result eval = Cli.run("evaluate", "--serving", "--data", data.toString(), "--serving-terms", terms.toString(),
        "--predictions", scored.toString(), "--format", "json");
    assertThat(eval.exit()).as(eval.toString()).isZero();
    assertThat(eval.json().get("terms").asText()).startsWith("serving-terms(6 rows)");
    assertThat(eval.json().get("metrics").get("output_tps").get("n").asInt()).isEqualTo(6);
    assertThat(eval.json().get("metrics").get("output_tps").get("median_ape").asDouble()).isNotNegative();
    // its rows, in the held-out file's columns, are what the summary was computed from
    List<String> rows = Files.readAllLines(scored);
    assertThat(rows).hasSize(7);
    assertThat(rows.get(0)).isEqualTo(lines.get(0));
    double[] apes = rows.stream().skip(1).map(l -> l.split(",")).mapToDouble(c -> {
      double observed = Double.parseDouble(c[c.length - 6]);
      double predicted = Double.parseDouble(c[c.length - 5]);
      double ape = Double.parseDouble(c[c.length - 2]);
      assertThat(ape).isCloseTo(Math.abs(predicted - observed) / observed, org.assertj.core.data.Offset.offset(1e-4));
      return ape;
    }).sorted().toArray();
    assertThat((apes[2] + apes[3]) / 2).isCloseTo(
        eval.json().get("metrics").get("output_tps").get("median_ape").asDouble(),
        org.assertj.core.data.Offset.offset(1e-4));
    Cli.Result again = Cli.run("evaluate", "--serving", "--data", data.toString(), "--predictions",
        scored.toString());
    assertThat(again.exit()).isNotZero();
    assertThat(again.err()).contains(scored.toString()).contains("--force");
    Cli.Result predict = Cli.run(VLLM, "--concurrency", "4", "--serving-terms", terms.toString(), "--format",
        "json");
    assertThat(predict.exit()).as(predict.toString()).isZero();
    assertThat(predict.json().get("terms").asText()).startsWith("serving-terms(6 rows)");
  }

  @Test
  void oneOutputTokenHasNoTimePerOutputTokenAndSaysSo() {
    String[] one = {"predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant", "FP8", "--engine",
        "vllm", "--isl", "1000", "--osl", "1", "--concurrency", "4", "--format", "json"};
    Cli.Result r = Cli.run(one);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("tpot_ms").isNull()).isTrue();
    assertThat(r.json().get("itl_ms").isNull()).isTrue();
    assertThat(r.json().get("e2e_ms").asDouble()).isEqualTo(r.json().get("ttft_ms").asDouble());
    assertThat(r.json().get("assumptions").toString()).contains("one output token per request", "undefined");
    // two tokens have one gap between them, and no such note
    String[] twoTokens = one.clone();
    twoTokens[java.util.Arrays.asList(one).indexOf("--osl") + 1] = "2";
    Cli.Result two = Cli.run(twoTokens);
    assertThat(two.exit()).as(two.toString()).isZero();
    assertThat(two.json().get("tpot_ms").asDouble()).isPositive();
    assertThat(two.json().get("assumptions").toString()).doesNotContain("one output token per request");
  }

  @Test
  void aLlamaServerServesFourClientsAtOnceAndOllamaOneUnlessToldOtherwise() {
    String[] four = {"predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M", "--isl", "500",
        "--osl", "100", "--concurrency", "4", "--format", "json"};
    Cli.Result server = Cli.run(four, "--engine", "llama.cpp");
    Cli.Result ollama = Cli.run(four, "--engine", "ollama");
    Cli.Result ollama4 = Cli.run(four, "--engine", "ollama", "--max-batch", "4");
    for (Cli.Result r : List.of(server, ollama, ollama4)) {
      assertThat(r.exit()).as(r.toString()).isZero();
    }
    assertThat(server.json().get("scenario").get("max_batch").asInt()).isEqualTo(4);
    assertThat(server.json().get("running").asDouble()).isEqualTo(4.0);
    assertThat(ollama.json().get("scenario").get("max_batch").asInt()).isEqualTo(1);
    assertThat(ollama.json().get("limited_by").asText()).isEqualTo("engine_batch_limit");
    assertThat(ollama.json().get("limit_detail").asText()).contains("3 more wait in the queue");
    assertThat(ollama.json().get("assumptions").toString()).contains("ollama runs llama.cpp with defaults of its own"
        + " (data/engines.csv row ollama); predicted at max batch 1");
    assertThat(ollama4.json().get("assumptions").toString()).contains("predicted at max batch 4");
    assertThat(server.json().get("assumptions").toString()).doesNotContain("defaults of its own");
    assertThat(ollama.json().get("scenario").get("engine").asText()).isEqualTo("ollama");
    assertThat(server.json().get("scenario").get("engine").asText()).isEqualTo("llama.cpp");
    // one slot serves the four in turn: less throughput, a longer wait for the first token
    assertThat(ollama.json().get("output_tokens_per_s").asDouble())
        .isLessThan(server.json().get("output_tokens_per_s").asDouble());
    assertThat(ollama.json().get("ttft_ms").asDouble()).isGreaterThan(server.json().get("ttft_ms").asDouble());
    assertThat(ollama4.json().get("output_tokens_per_s").asDouble())
        .isEqualTo(server.json().get("output_tokens_per_s").asDouble());
  }

  @Test
  void aPromptLongerThanTheTokenBudgetIsPredictedAtEveryLoad() {
    // 10 000 prompt tokens, one output token, vLLM's 8 192-token budget: chunked over two iterations, never refused
    String[] base = {"predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant", "FP8", "--engine",
        "vllm", "--isl", "10000", "--osl", "1", "--format", "json"};
    for (String[] load : List.of(new String[] {"--request-rate", "100"}, new String[] {"--offline"},
        new String[] {"--request-rate", "100", "--prompts", "50"})) {
      Cli.Result r = Cli.run(base, load);
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.json().get("limited_by").asText()).isEqualTo("compute");
      assertThat(r.json().get("limit_detail").asText()).contains("a prompt of 10000 tokens takes 2 iterations of the"
          + " 8192-token budget");
      assertThat(r.json().get("e2e_ms").asDouble()).isCloseTo(r.json().get("ttft_ms").asDouble(),
          org.assertj.core.api.Assertions.within(1e-6));
    }
  }

  @Test
  void recommendRanksNoConcurrencyThatOnlyQueuesAndRefusesTopZero() {
    // llama-server runs 4 slots: 8 or 64 clients get the 4 slots' tokens/s per GPU and wait longer for a first token
    String[] ask = {"recommend", "--model", "Llama 3 8B", "--device", "RTX 4090", "--isl", "1000", "--osl", "200",
        "--engines", "llama.cpp", "--quants", "Q4_K_M", "--gpus", "1", "--concurrencies", "64,1,4,8"};
    Cli.Result r = Cli.run(ask, "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("evaluated").asInt()).isEqualTo(4);
    assertThat(j.get("qualified").asInt()).isEqualTo(4);
    assertThat(j.get("queued").asInt()).isEqualTo(2);
    List<Integer> ranked = new java.util.ArrayList<>();
    j.get("top").forEach(c -> ranked.add(c.get("concurrency").asInt()));
    assertThat(ranked).containsExactly(4, 1);
    Cli.Result text = Cli.run(ask);
    assertThat(text.out()).contains("4 predicted, 4 meet the budget (2 not ranked: they only queue behind a lower"
        + " concurrency of the same deployment)");
    Cli.Result zero = Cli.run(ask, "--top", "0");
    assertThat(zero.exit()).isEqualTo(2);
    assertThat(zero.err()).contains("top = 0 is invalid");
  }

  @Test
  void recommendTellsOllamaFromTheLlamaServerItRuns() {
    Cli.Result r = Cli.run("recommend", "--model", "Llama 3 8B", "--device", "RTX 4090", "--isl", "500", "--osl",
        "100", "--engines", "llama.cpp,ollama", "--quants", "Q4_K_M", "--concurrencies", "4", "--gpus", "1", "--format",
        "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> engines = new java.util.ArrayList<>();
    r.json().get("top").forEach(c -> engines.add(c.get("engine").asText()));
    // one slot against four: the two are different deployments, and each row says which it is
    assertThat(engines).containsExactlyInAnyOrder("llama.cpp", "ollama");
    assertThat(engines.get(0)).isEqualTo("llama.cpp");
  }

  @Test
  void evaluateScoresTheShippedTermsOnTheRowsAsPredictWouldPredictThem(@TempDir Path dir) throws Exception {
    // one closed-loop row on one chip family: no fold could be trained, yet the shipped terms predict it
    Cli.Result p = Cli.run(VLLM, "--concurrency", "16", "--format", "json");
    assertThat(p.exit()).as(p.toString()).isZero();
    double predicted = p.json().get("output_tokens_per_s").asDouble();
    JsonNode band = p.json().get("intervals").get("output_tokens_per_s");
    Path csv = Files.writeString(dir.resolve("mine.csv"), HEADER + "mine,vLLM,,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,"
        + "FP8,,1000,200,random fixed-length,16,,,,,1400,,,,,,,,,one closed loop\n");
    Cli.Result e = Cli.run("evaluate", "--serving", "--data", csv.toString(), "--format", "json");
    assertThat(e.exit()).as(e.toString()).isZero();
    JsonNode j = e.json();
    assertThat(j.get("terms").asText()).startsWith("serving-terms(");
    JsonNode out = j.get("metrics").get("output_tps");
    assertThat(out.get("n").asInt()).isEqualTo(1);
    assertThat(out.get("mape").asDouble()).isCloseTo(Math.abs(predicted - 1400) / 1400, within(1e-9));
    assertThat(out.get("coverage").asDouble()).isEqualTo(
        band.get("low").asDouble() <= 1400 && 1400 <= band.get("high").asDouble() ? 1.0 : 0.0);
    assertThat(out.get("width").asDouble()).isCloseTo(band.get("high").asDouble() / band.get("low").asDouble(),
        within(1e-9));
    // rows none of which is usable: the error gives each one's reason at its line
    Path bad = Files.writeString(dir.resolve("bad.csv"), HEADER + "mine,vLLM,,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,"
        + "FP8,,1000,200,random fixed-length,sixteen,,,,,1400,,,,,,,,,x\nmine,vLLM,,H100 SXM5 80GB,3,3,1,,"
        + "Llama 3.1 8B,FP8,,1000,200,random fixed-length,16,,,,,1400,,,,,,,,,x\n");
    Cli.Result none = Cli.run("evaluate", "--serving", "--data", bad.toString());
    assertThat(none.exit()).as(none.toString()).isNotZero();
    assertThat(none.err()).contains("2 rows, none usable", "bad.csv:2: concurrency = sixteen is not an integer",
        "bad.csv:3: ", "tp 3 does not divide the 32 attention heads").doesNotContain("Exception");
    Cli.Result text = Cli.run("evaluate", "--serving", "--data", csv.toString());
    assertThat(text.out()).contains("scored with serving-terms(", "`tuner train --serving` reports"
        + " leave-one-chip-family-out");
  }

  @Test
  void trtllmBenchLimitsAreTheOnesItsTuningChoosesForTheWorkload() {
    String[] trt = {"predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant", "FP8",
        "--kv-cache-type", "fp8", "--engine", "tensorrt-llm", "--isl", "128", "--osl", "2048", "--offline",
        "--format", "json"};
    Cli.Result defaults = Cli.run(trt);
    Cli.Result tuned = Cli.run(trt, "--trtllm-bench-limits");
    Cli.Result overridden = Cli.run(trt, "--trtllm-bench-limits", "--max-batch", "256");
    for (Cli.Result r : List.of(defaults, tuned, overridden)) {
      assertThat(r.exit()).as(r.toString()).isZero();
    }
    // trtllm-serve's defaults: memory only, 8 192 tokens per iteration
    assertThat(defaults.json().get("scenario").get("max_batch").asInt()).isZero();
    assertThat(defaults.json().get("scenario").get("max_tokens_per_step").asInt()).isEqualTo(8192);
    // trtllm-bench: (80 − 8.03) × 0.95 GiB over 2 176 tokens × 65 536 bytes = 514.8 requests → batch 128 × 5 = 640;
    // 514.8 × (1 + 128/2048) = 547 tokens, raised to the floor of 2 048
    assertThat(tuned.json().get("scenario").get("max_batch").asInt()).isEqualTo(640);
    assertThat(tuned.json().get("scenario").get("max_tokens_per_step").asInt()).isEqualTo(2048);
    // a setting given on the command line wins
    assertThat(overridden.json().get("scenario").get("max_batch").asInt()).isEqualTo(256);
    assertThat(overridden.json().get("scenario").get("max_tokens_per_step").asInt()).isEqualTo(2048);
    Cli.Result vllm = Cli.run(VLLM, "--offline", "--trtllm-bench-limits");
    assertThat(vllm.exit()).as(vllm.toString()).isNotZero();
    assertThat(vllm.err()).contains("--trtllm-bench-limits", "tensorrt-llm");
  }
}
