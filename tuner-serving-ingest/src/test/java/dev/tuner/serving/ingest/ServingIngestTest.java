package dev.tuner.serving.ingest;

import static dev.tuner.serving.ingest.ServingColumn.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.ingest.IngestReport.Rejection;
import dev.tuner.core.ingest.RejectReason;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each sample of ../shared/data/formats ingested; the expected figures were read off the sample files by eye. */
class ServingIngestTest {
  private static final ServingIngestor INGESTOR = new ServingIngestor(Catalog.shipped());

  @TempDir
  Path dir;

  static Path sample(String name) {
    try {
      return Path.of(ServingIngestTest.class.getResource("/formats/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ServingIngestReport ingest(ServingFormat f, String sample, ServingIngestOptions o) {
    return INGESTOR.ingest(f, List.of(sample(sample)), o);
  }

  private static ServingIngestOptions opts(String... pairs) {
    ServingIngestOptions o = ServingIngestOptions.none();
    for (int i = 0; i < pairs.length; i += 2) {
      o = o.with(ServingColumn.valueOf(pairs[i]), pairs[i + 1]);
    }
    return o;
  }

  private static ServingResult at(ServingIngestReport r, int line) {
    return r.rows().stream().filter(x -> x.origin().endsWith(":" + line)).findFirst().orElseThrow(
        () -> new AssertionError("no row from line " + line + " in " + r));
  }

  @Test
  void vllmServeJsonNeedsOnlyThePrecisionAndReadsFourReplicasOfOneGpu() {
    ServingIngestReport none = ingest(ServingFormat.VLLM_SERVE, "vllm-serve-sample1.jsonl", opts());
    assertThat(none.rejectedByReason()).containsExactly(Map.entry(RejectReason.NO_QUANT, 9));
    assertThat(none.rejected().get(0).detail()).isEqualTo("the output does not state it: pass --quant");

    ServingIngestReport r = ingest(ServingFormat.VLLM_SERVE, "vllm-serve-sample1.jsonl", opts("WEIGHT_DTYPE", "bf16"));
    assertThat(r.rejected()).isEmpty();
    assertThat(r.rows()).hasSize(9);
    ServingResult first = at(r, 1);
    assertThat(first.get(SOURCE_ID)).isEqualTo("ingest:vllm-serve-sample1.jsonl");
    assertThat(first.get(ENGINE)).isEqualTo("vLLM");
    // "gpu": "4xNVIDIA_L40S" with "decode_replicas": "4": four replicas on one GPU each
    assertThat(first.get(DEVICE)).isEqualTo("L40S");
    assertThat(first.get(NUM_DEVICES)).isEqualTo("4");
    assertThat(first.get(TP)).isEqualTo("1");
    assertThat(first.get(PP)).isEqualTo("1");
    assertThat(first.get(MODEL)).isEqualTo("Llama 3.2 3B");
    assertThat(first.get(WEIGHT_DTYPE)).isEqualTo("BF16");
    // 299700 input tokens / 300 requests = 999; 80945 output tokens / 300 = 269.82 -> 270 (EOS stops short of 500)
    assertThat(first.get(ISL)).isEqualTo("999");
    assertThat(first.get(OSL)).isEqualTo("270");
    assertThat(first.get(REQUEST_RATE)).isEqualTo("10");
    assertThat(first.get(CONCURRENCY)).isEmpty();
    assertThat(first.get(NUM_PROMPTS)).isEqualTo("300");
    assertThat(first.get(REQ_PER_S)).isEqualTo("8.369432347779671");
    assertThat(first.get(OUTPUT_TPS)).isEqualTo("2258.212337970085");
    assertThat(first.get(TOTAL_TPS)).isEqualTo("10619.275253401978");
    assertThat(first.get(TTFT_MEAN_MS)).isEqualTo("54.59561144333596");
    assertThat(first.get(TTFT_MEDIAN_MS)).isEqualTo("52.868896000063614");
    assertThat(first.get(TPOT_MEAN_MS)).isEqualTo("13.710971568239172");
    assertThat(first.get(TPOT_MEDIAN_MS)).isEqualTo("13.686303201518745");
    assertThat(first.get(ITL_MEAN_MS)).isEqualTo("13.73187330695019");
    assertThat(first.get(NOTES)).contains("p99_ttft_ms=98.69780922984769", "median_itl_ms=13.098381999952835",
        "gpu=4xNVIDIA_L40S", "output_len=500", "mean 999.00 input and 269.82 output tokens per request");
    // the third run: request_rate "inf", 900 prompts, 240165 / 900 = 266.85 -> 267 output tokens per request
    ServingResult offline = at(r, 3);
    assertThat(offline.get(REQUEST_RATE)).isEqualTo("inf");
    assertThat(offline.get(NUM_PROMPTS)).isEqualTo("900");
    assertThat(offline.get(OSL)).isEqualTo("267");
  }

  @Test
  void anOptionMustAgreeWithWhatTheOutputStates() {
    ServingIngestReport r = ingest(ServingFormat.VLLM_SERVE, "vllm-serve-sample1.jsonl",
        opts("WEIGHT_DTYPE", "BF16", "TP", "2"));
    assertThat(r.rows()).isEmpty();
    assertThat(r.rejected()).extracting(Rejection::reason).containsOnly(RejectReason.INCONSISTENT);
    assertThat(r.rejected().get(0).detail()).isEqualTo("the output states tp 1 but --tp is 2");
  }

  @Test
  void aResultWhoseThroughputContradictsItsTokensIsRejected() throws IOException {
    String first = Files.readAllLines(sample("vllm-serve-sample1.jsonl")).get(0)
        .replace("\"output_throughput\": 2258.212337970085", "\"output_throughput\": 4516.4");
    Path f = Files.writeString(dir.resolve("bad.json"), first);
    ServingIngestReport r = INGESTOR.ingest(ServingFormat.VLLM_SERVE, List.of(f), opts("WEIGHT_DTYPE", "BF16"));
    assertThat(r.rejected()).singleElement().satisfies(x -> {
      assertThat(x.reason()).isEqualTo(RejectReason.INCONSISTENT);
      assertThat(x.detail()).startsWith("output_throughput 4516.4 × duration 35.84472489100017 s ≠ total_output_tokens"
          + " 80945");
    });
  }

  @Test
  void vllmServeConsoleNamesNoEngineNoModelAndNoGpu() {
    ServingIngestReport none = ingest(ServingFormat.VLLM_SERVE_CONSOLE, "vllm-serve-console-from-sample1.txt",
        opts());
    assertThat(none.rejected()).singleElement().satisfies(x -> {
      assertThat(x.reason()).isEqualTo(RejectReason.NO_DEVICE);
      assertThat(x.detail()).isEqualTo("the output does not state it: pass --engine, --device, --model, --quant");
      assertThat(x.origin()).endsWith(":4");
    });
    ServingIngestReport r = ingest(ServingFormat.VLLM_SERVE_CONSOLE, "vllm-serve-console-from-sample1.txt",
        opts("ENGINE", "vllm", "DEVICE", "NVIDIA L40S", "NUM_DEVICES", "4", "TP", "1", "MODEL",
            "meta-llama/Llama-3.2-3B-Instruct", "WEIGHT_DTYPE", "BF16"));
    ServingResult row = at(r, 4);
    assertThat(row.get(ENGINE)).isEqualTo("vLLM");
    assertThat(row.get(DEVICE)).isEqualTo("L40S");
    assertThat(row.get(NUM_DEVICES)).isEqualTo("4");
    assertThat(row.get(PP)).isEqualTo("1");
    // "Traffic request rate: 10.0" printed before the summary; "Maximum request concurrency: None"
    assertThat(row.get(REQUEST_RATE)).isEqualTo("10");
    assertThat(row.get(CONCURRENCY)).isEmpty();
    assertThat(row.get(ISL)).isEqualTo("999");
    assertThat(row.get(OSL)).isEqualTo("270");
    assertThat(row.get(REQ_PER_S)).isEqualTo("8.37");
    assertThat(row.get(OUTPUT_TPS)).isEqualTo("2258.21");
    assertThat(row.get(TOTAL_TPS)).isEqualTo("10619.28");
    assertThat(row.get(TTFT_MEAN_MS)).isEqualTo("54.6");
    assertThat(row.get(TTFT_MEDIAN_MS)).isEqualTo("52.87");
    assertThat(row.get(TPOT_MEAN_MS)).isEqualTo("13.71");
    assertThat(row.get(TPOT_MEDIAN_MS)).isEqualTo("13.69");
    assertThat(row.get(ITL_MEAN_MS)).isEqualTo("13.73");
    assertThat(row.get(NOTES)).contains("median_itl_ms=13.1", "p99_tpot_ms=15.79");
  }

  @Test
  void sglangServingOnTwoH20s() {
    ServingIngestReport r = ingest(ServingFormat.SGLANG_SERVING, "sglang-bench-serving-issue6681.txt",
        opts("DEVICE", "H20", "TP", "2", "MODEL", "Qwen/Qwen2.5-32B-Instruct", "WEIGHT_DTYPE", "BF16",
            "ENGINE_VERSION", "0.4.3.post4"));
    assertThat(r.rejected()).isEmpty();
    ServingResult row = at(r, 1);
    assertThat(row.get(ENGINE)).isEqualTo("SGLang");
    assertThat(row.get(ENGINE_VERSION)).isEqualTo("0.4.3.post4");
    // --tp 2 alone: one instance of tp 2 x pp 1
    assertThat(row.get(NUM_DEVICES)).isEqualTo("2");
    assertThat(row.get(PP)).isEqualTo("1");
    assertThat(row.get(MODEL)).isEqualTo("Qwen2.5 32B");
    assertThat(row.get(REQUEST_RATE)).isEqualTo("128");
    // "Max reqeuest concurrency: 512", misspelt as that version printed it
    assertThat(row.get(CONCURRENCY)).isEqualTo("512");
    assertThat(row.get(NUM_PROMPTS)).isEqualTo("1024");
    // 1048576 / 1024 = 1024 input, 131072 / 1024 = 128 output tokens per request
    assertThat(row.get(ISL)).isEqualTo("1024");
    assertThat(row.get(OSL)).isEqualTo("128");
    assertThat(row.get(REQ_PER_S)).isEqualTo("3.57");
    assertThat(row.get(OUTPUT_TPS)).isEqualTo("456.37");
    assertThat(row.get(TOTAL_TPS)).isEqualTo("4107.36");
    assertThat(row.get(NOTES)).contains("mean_concurrency=507.99", "input_tok_s=3650.98",
        "generated_tokens_retokenized=131026");
  }

  @Test
  void vllmThroughputSplitsTokensByTheRatiosAndNeverCallsTheOldFigureOutput() {
    ServingIngestOptions where = opts("DEVICE", "H100", "MODEL", "Llama 3.1 8B", "WEIGHT_DTYPE", "BF16");
    ServingIngestReport r = ingest(ServingFormat.VLLM_THROUGHPUT, "vllm-throughput-console-pr8914.txt", where);
    // "Throughput: 89.27 requests/s, 22853.37 total tokens/s, 11426.69 output tokens/s":
    // 11426.69 / 89.27 = 128.00 output and (22853.37 - 11426.69) / 89.27 = 128.00 input tokens per request
    ServingResult after = at(r, 8);
    assertThat(after.get(ISL)).isEqualTo("128");
    assertThat(after.get(OSL)).isEqualTo("128");
    assertThat(after.get(REQUEST_RATE)).isEqualTo("inf");
    assertThat(after.get(REQ_PER_S)).isEqualTo("89.27");
    assertThat(after.get(TOTAL_TPS)).isEqualTo("22853.37");
    assertThat(after.get(OUTPUT_TPS)).isEqualTo("11426.69");
    // "Throughput: 81.74 requests/s, 20926.37 tokens/s": 20926.37 / 81.74 = 256.01, only isl + osl
    assertThat(r.rejected()).singleElement().satisfies(x -> {
      assertThat(x.origin()).endsWith(":3");
      assertThat(x.detail()).isEqualTo("this line gives only isl + osl = 256 tokens per request; pass --isl or --osl");
    });
    ServingIngestReport split = ingest(ServingFormat.VLLM_THROUGHPUT, "vllm-throughput-console-pr8914.txt",
        where.with(ISL, "128"));
    ServingResult before = at(split, 3);
    assertThat(before.get(OSL)).isEqualTo("128");
    assertThat(before.get(TOTAL_TPS)).isEqualTo("20926.37");
    assertThat(before.get(OUTPUT_TPS)).isEmpty();
  }

  @Test
  void sglangOneBatchIsAStaticBatchWithLengthsFromThePrintedFigures() {
    ServingIngestOptions where = opts("DEVICE", "Apple M1 Max (32-core GPU)", "MODEL", "Qwen/Qwen3-0.6B",
        "WEIGHT_DTYPE", "BF16");
    ServingIngestReport r = ingest(ServingFormat.SGLANG_ONE_BATCH, "sglang-bench-one-batch-pr30147.txt", where);
    assertThat(r.rejected()).isEmpty();
    // the warm-up run (lines 2-9) is skipped; the measured run starts at line 11
    assertThat(r.rows()).singleElement();
    ServingResult row = at(r, 11);
    assertThat(row.get(ENGINE)).isEqualTo("SGLang");
    assertThat(row.get(BATCH)).isEqualTo("1");
    // isl: 5916.43 token/s x 0.01014 s / batch 1 = 59.99 -> 60 (59.96 to 60.02 at print precision)
    assertThat(row.get(ISL)).isEqualTo("60");
    // osl: 1122.76 token/s x 0.062 s - 60 = 9.61, between 9.05 and 10.17 at print precision -> 10
    assertThat(row.get(OSL)).isEqualTo("10");
    assertThat(row.get(PREFILL_TPS)).isEqualTo("5916.43");
    assertThat(row.get(DECODE_TPS)).isEqualTo("174.85");
    assertThat(row.get(TOTAL_TPS)).isEqualTo("1122.76");
    assertThat(row.get(TTFT_MEAN_MS)).isEqualTo("10.14");
    assertThat(row.get(TPOT_MEDIAN_MS)).isEqualTo("5.72");
    assertThat(row.get(REQUEST_RATE)).isEmpty();

    ServingIngestReport wrong = ingest(ServingFormat.SGLANG_ONE_BATCH, "sglang-bench-one-batch-pr30147.txt",
        where.with(OSL, "16"));
    assertThat(wrong.rejected()).singleElement().satisfies(x -> {
      assertThat(x.reason()).isEqualTo(RejectReason.INCONSISTENT);
      assertThat(x.detail()).startsWith("--osl 16 but total throughput 1122.76 × latency 0.062 s / batch 1 - isl 60");
    });
  }

  @Test
  void trtllmBenchStatesItsLayoutPrecisionAndVersionButNotTheGpu() {
    ServingIngestReport none = ingest(ServingFormat.TRTLLM_BENCH, "trtllm-bench-pr7104.txt", opts());
    assertThat(none.rejected()).singleElement().satisfies(x -> {
      assertThat(x.reason()).isEqualTo(RejectReason.NO_DEVICE);
      assertThat(x.detail()).isEqualTo("the output does not state it: pass --device");
    });
    ServingIngestReport r = ingest(ServingFormat.TRTLLM_BENCH, "trtllm-bench-pr7104.txt", opts("DEVICE", "B200"));
    ServingResult row = r.rows().get(0);
    assertThat(row.get(ENGINE)).isEqualTo("TensorRT-LLM");
    assertThat(row.get(ENGINE_VERSION)).isEqualTo("1.1.0rc1");
    assertThat(row.get(MODEL)).isEqualTo("DeepSeek-R1");
    assertThat(row.get(WEIGHT_DTYPE)).isEqualTo("NVFP4");
    assertThat(row.get(KV_DTYPE)).isEqualTo("FP8");
    // TP 4 x PP 1 = 4 GPUs, EP 4
    assertThat(row.get(NUM_DEVICES)).isEqualTo("4");
    assertThat(row.get(TP)).isEqualTo("4");
    assertThat(row.get(PP)).isEqualTo("1");
    assertThat(row.get(EP)).isEqualTo("4");
    assertThat(row.get(ISL)).isEqualTo("1024");
    assertThat(row.get(OSL)).isEqualTo("1024");
    assertThat(row.get(NUM_PROMPTS)).isEqualTo("6144");
    // Issue Rate 1.1684E+17 req/s: all requests at once
    assertThat(row.get(REQUEST_RATE)).isEqualTo("inf");
    assertThat(row.get(REQ_PER_S)).isEqualTo("7.3411");
    assertThat(row.get(OUTPUT_TPS)).isEqualTo("7517.2584");
    assertThat(row.get(NOTES)).contains("max_num_seqs=1024", "max_num_tokens=2176",
        "kv_cache_free_gpu_mem_fraction 0.7", "mean_concurrency=1018.8281");
  }

  @Test
  void trtllmBenchLengthsComeFromTheMeasuredTotalsNotTheDatasetName() {
    ServingIngestReport r = ingest(ServingFormat.TRTLLM_BENCH, "trtllm-bench-issue6294.txt",
        opts("DEVICE", "H100 SXM5 80GB", "MODEL", "nvidia/Llama-3.1-8B-Instruct-FP8", "WEIGHT_DTYPE", "FP8"));
    assertThat(r.rejected()).isEmpty();
    ServingResult row = r.rows().get(0);
    // 6957.3030 output tok/s / 248.4751 req/s = 28.0 output tokens per request, though the dataset is "128_128"
    assertThat(row.get(OSL)).isEqualTo("28");
    // (38762.1169 - 6957.3030) / 248.4751 = 128.0 input tokens per request
    assertThat(row.get(ISL)).isEqualTo("128");
    // total output / per-GPU output = 6957.3030 / 6957.3030 = 1 GPU
    assertThat(row.get(NUM_DEVICES)).isEqualTo("1");
    assertThat(row.get(TP)).isEqualTo("1");
    assertThat(row.get(TOTAL_TPS)).isEqualTo("38762.1169");
    assertThat(row.get(OUTPUT_TPS)).isEqualTo("6957.303");
    assertThat(row.get(NUM_PROMPTS)).isEqualTo("30000");
    assertThat(row.get(NOTES)).contains("mean_e2el_ms=53522.9014", "median_e2el_ms=54486.1063",
        "out_tok_s_per_gpu=6957.303");
  }

  @Test
  void theFormatIsRecognisedFromTheContent() throws IOException {
    for (Map.Entry<String, ServingFormat> e : Map.of(
        "vllm-serve-sample1.jsonl", ServingFormat.VLLM_SERVE,
        "vllm-serve-console-from-sample1.txt", ServingFormat.VLLM_SERVE_CONSOLE,
        "sglang-bench-serving-issue6681.txt", ServingFormat.SGLANG_SERVING,
        "vllm-throughput-console-pr8914.txt", ServingFormat.VLLM_THROUGHPUT,
        "sglang-bench-one-batch-pr30147.txt", ServingFormat.SGLANG_ONE_BATCH,
        "trtllm-bench-issue6294.txt", ServingFormat.TRTLLM_BENCH,
        "trtllm-bench-pr7104.txt", ServingFormat.TRTLLM_BENCH).entrySet()) {
      assertThat(ServingFormat.detect(Files.readString(sample(e.getKey())))).as(e.getKey()).contains(e.getValue());
    }
    assertThat(ServingFormat.detect("hello")).isEmpty();
  }

  @Test
  void badOptionsAndFilesThatHoldNoRecord() throws IOException {
    assertThatThrownBy(() -> INGESTOR.ingest(ServingFormat.TRTLLM_BENCH, List.of(sample("trtllm-bench-pr7104.txt")),
        opts("DEVICE", "No Such GPU"))).isInstanceOf(InvalidInputException.class).hasMessageContaining("--device");
    assertThatThrownBy(() -> INGESTOR.ingest(ServingFormat.TRTLLM_BENCH, List.of(sample("trtllm-bench-pr7104.txt")),
        opts("TP", "0"))).isInstanceOf(InvalidInputException.class).hasMessageContaining("--tp");
    // an engine is its whole name: "sglangx" is a typo, not SGLang
    assertThatThrownBy(() -> INGESTOR.ingest(ServingFormat.VLLM_SERVE, List.of(sample("vllm-serve-sample1.jsonl")),
        opts("ENGINE", "sglangx"))).isInstanceOf(InvalidInputException.class)
        .hasMessage("--engine = \"sglangx\" is invalid: expected vllm, sglang, tensorrt-llm, lmdeploy, llama.cpp"
            + " or mlx");
    Path empty = Files.writeString(dir.resolve("empty.txt"), "nothing here\n");
    ServingIngestReport r = INGESTOR.ingest(ServingFormat.TRTLLM_BENCH, List.of(empty), opts());
    assertThat(r.rejected()).singleElement().extracting(Rejection::reason).isEqualTo(RejectReason.NO_RECORDS);
    Path binary = Files.write(dir.resolve("bin.json"), new byte[] {'{', 0, '}'});
    assertThat(INGESTOR.ingest(ServingFormat.VLLM_SERVE, List.of(binary), opts()).rejected()).singleElement()
        .extracting(Rejection::reason).isEqualTo(RejectReason.NOT_TEXT);
  }

  @Test
  void attentionGroupsAreWrittenToTheNotesAndMustDivideTheTensorParallelRanks() {
    // the sample's layout is TP 4, EP 4: four groups of one rank, as TensorRT-LLM's enable_attention_dp runs them
    ServingIngestReport r = ingest(ServingFormat.TRTLLM_BENCH, "trtllm-bench-pr7104.txt", opts("DEVICE", "B200")
        .withAttentionDp(4));
    assertThat(r.rows()).singleElement().satisfies(row -> assertThat(row.get(NOTES)).contains("attention_dp=4"));
    ServingIngestReport three = ingest(ServingFormat.TRTLLM_BENCH, "trtllm-bench-pr7104.txt", opts("DEVICE", "B200")
        .withAttentionDp(3));
    assertThat(three.rejected()).singleElement().satisfies(x -> {
      assertThat(x.reason()).isEqualTo(RejectReason.MULTI_GPU);
      assertThat(x.detail()).isEqualTo("3 attention groups do not divide tp 4");
    });
    assertThatThrownBy(() -> opts("DEVICE", "B200").withAttentionDp(0))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("--attention-dp");
  }

  @Test
  void rowsAreWrittenInServingCsvColumnOrder() {
    ServingIngestReport r = ingest(ServingFormat.TRTLLM_BENCH, "trtllm-bench-pr7104.txt", opts("DEVICE", "B200"));
    String csv = ServingCsvWriter.text(r.rows());
    assertThat(csv.lines().findFirst().orElseThrow()).isEqualTo("source_id,engine,engine_version,device,num_devices,"
        + "tp,pp,ep,model,weight_dtype,kv_dtype,isl,osl,dataset,concurrency,request_rate,num_prompts,batch,req_per_s,"
        + "output_tps,total_tps,ttft_mean_ms,ttft_median_ms,tpot_mean_ms,tpot_median_ms,itl_mean_ms,prefill_tps,"
        + "decode_tps,notes");
    assertThat(csv.lines().skip(1).findFirst().orElseThrow()).startsWith(
        "ingest:trtllm-bench-pr7104.txt,TensorRT-LLM,1.1.0rc1,B200,4,4,1,4,DeepSeek-R1,NVFP4,FP8,1024,1024,");
  }
}
