package dev.tuner.core.ingest;

import static dev.tuner.core.ingest.Ingest.at;
import static dev.tuner.core.ingest.Ingest.rejectedAt;
import static dev.tuner.core.ingest.IngestFormat.VLLM_SERVE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.data.Measurement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VllmServeIngestTest {
  @TempDir
  Path dir;

  @Test
  void theSampleIsFourGpusServingReplicas() {
    IngestReport none = Ingest.sample(VLLM_SERVE, "vllm-serve-sample1.jsonl", IngestOptions.none());
    assertThat(none.rejectedByReason()).containsExactly(Map.entry(RejectReason.NO_QUANT, 9));
    // 4xNVIDIA_L40S without parallel sizes: four data-parallel replicas of tp 1 × pp 1
    IngestReport r = Ingest.sample(VLLM_SERVE, "vllm-serve-sample1.jsonl", IngestOptions.none().withQuant("BF16"));
    assertThat(r.rejected()).isEmpty();
    assertThat(r.accepted()).hasSize(9);
    for (Measurement m : r.accepted()) {
      assertThat(m.scenario().device()).isEqualTo("L40S");
      assertThat(m.scenario().devices()).isEqualTo(4);
      assertThat(m.scenario().tp()).isEqualTo(1);
      assertThat(m.scenario().pp()).isEqualTo(1);
      assertThat(m.scenario().ep()).isEqualTo(1);
    }
  }

  @Test
  void aDeviceOrModelOtherThanTheMetadataNamesIsRefusedNotWrittenOverIt() {
    // the sample states "gpu": "4xNVIDIA_L40S" and "model_id": "meta-llama/Llama-3.2-3B-Instruct"
    IngestReport device = Ingest.sample(VLLM_SERVE, "vllm-serve-sample1.jsonl",
        IngestOptions.none().withDevice("RTX 4090").withQuant("F16"));
    assertThat(device.accepted()).isEmpty();
    assertThat(device.rejectedByReason()).containsExactly(Map.entry(RejectReason.INCONSISTENT, 9));
    assertThat(device.rejected().get(0).detail()).isEqualTo("the output states device L40S but --device is RTX 4090");
    IngestReport model = Ingest.sample(VLLM_SERVE, "vllm-serve-sample1.jsonl",
        IngestOptions.none().withModel("Llama 2 7B").withQuant("F16"));
    assertThat(model.accepted()).isEmpty();
    assertThat(model.rejected().get(0).detail()).isEqualTo("the output states model Llama 3.2 3B but --model is"
        + " Llama 2 7B");
  }

  @Test
  void aDeviceAndModelTheMetadataAlsoNamesAreTaken() {
    IngestReport r = Ingest.sample(VLLM_SERVE, "vllm-serve-sample1.jsonl", IngestOptions.none()
        .withDevice("NVIDIA L40S").withModel("meta-llama/Llama-3.2-3B-Instruct").withQuant("BF16"));
    assertThat(r.rejected()).isEmpty();
    assertThat(r.accepted()).hasSize(9).allSatisfy(m -> {
      assertThat(m.scenario().device()).isEqualTo("L40S");
      assertThat(m.scenario().model()).isEqualTo("Llama 3.2 3B");
    });
  }

  @Test
  void theSampleAsIfOnOneGpu() throws IOException {
    String text = Files.readString(TestCatalog.sample("vllm-serve-sample1.jsonl")).replace("4xNVIDIA_L40S", "NVIDIA_L40S");
    IngestReport none = Ingest.text(VLLM_SERVE, dir, "one.jsonl", text, IngestOptions.none());
    assertThat(none.rejectedByReason()).containsExactly(Map.entry(RejectReason.NO_QUANT, 9));

    IngestReport r = Ingest.text(VLLM_SERVE, dir, "one.jsonl", text, IngestOptions.none().withQuant("BF16"));
    assertThat(r.rejected()).isEmpty();
    assertThat(r.accepted()).hasSize(9);
    Measurement rate10 = at(r, 1);
    assertThat(rate10.scenario().device()).isEqualTo("L40S");
    assertThat(rate10.scenario().model()).isEqualTo("Llama 3.2 3B");
    assertThat(rate10.scenario().phase()).isEqualTo("decode");
    assertThat(rate10.tokensPerSecond()).isEqualTo(2258.212337970085);
    assertThat(rate10.scenario().context()).isEqualTo(1269);
    assertThat(rate10.scenario().batch()).isEqualTo(31);
    assertThat(rate10.isEndToEnd()).isTrue();
    assertThat(rate10.notes()).contains("DERIVED batch", "Little's law", "queueing", "request-level");
    assertThat(rate10.backend()).isEqualTo("vLLM");

    Measurement unlimited = at(r, 3);
    assertThat(unlimited.scenario().batch()).isEqualTo(900);
    assertThat(unlimited.scenario().context()).isEqualTo(1266);
    assertThat(unlimited.tokensPerSecond()).isEqualTo(8321.230575856995);
    assertThat(unlimited.notes()).contains("request_rate inf", "batch = number of prompts");
  }

  @Test
  void maxConcurrencyIsTheBatchAndTheQuantCanComeFromTheModelId() throws IOException {
    String json = """
        {
          "date": "20250101-120000",
          "backend": "vllm",
          "model_id": "meta-llama/Llama-3.2-3B-Instruct-FP8",
          "num_prompts": 64,
          "hardware": "NVIDIA L40S",
          "request_rate": "inf",
          "max_concurrency": 8,
          "duration": 10.0,
          "completed": 64,
          "failed": 0,
          "total_input_tokens": 32768,
          "total_output_tokens": 8192,
          "request_throughput": 6.4,
          "request_goodput": null,
          "output_throughput": 819.2,
          "total_token_throughput": 4096.0,
          "mean_ttft_ms": 40.0,
          "mean_tpot_ms": 9.0,
          "p99.9_itl_ms": 30.0
        }
        """;
    IngestReport r = Ingest.text(VLLM_SERVE, dir, "fp8.json", json, IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    Measurement m = at(r, 1);
    assertThat(m.scenario().batch()).isEqualTo(8);
    assertThat(m.scenario().context()).isEqualTo(512 + 128);
    assertThat(m.scenario().quant()).isEqualTo("FP8");
    assertThat(m.tokensPerSecond()).isEqualTo(819.2);
  }

  @Test
  void withoutADeviceTheFlagIsNeeded() throws IOException {
    String json = "{\"model_id\": \"meta-llama/Llama-3.2-3B-Instruct\", \"max_concurrency\": 1, \"duration\": 2.0,"
        + " \"completed\": 4, \"total_input_tokens\": 400, \"total_output_tokens\": 200, \"output_throughput\": 100.0}\n";
    IngestReport r = Ingest.text(VLLM_SERVE, dir, "r.json", json, IngestOptions.none().withQuant("BF16"));
    assertThat(rejectedAt(r, 1).reason()).isEqualTo(RejectReason.NO_DEVICE);
    IngestReport ok = Ingest.text(VLLM_SERVE, dir, "r.json", json,
        IngestOptions.none().withQuant("BF16").withDevice("L40S"));
    assertThat(at(ok, 1).scenario().batch()).isEqualTo(1);
    assertThat(at(ok, 1).scenario().context()).isEqualTo(150);
  }

  @Test
  void aGpuTheCatalogDoesNotKnowLeavesTheDeviceToTheFlag() throws IOException {
    String json = "{\"model_id\": \"meta-llama/Llama-3.2-3B-Instruct\", \"gpu\": \"NVIDIA B300\","
        + " \"max_concurrency\": 1, \"completed\": 4, \"total_input_tokens\": 400, \"total_output_tokens\": 200,"
        + " \"output_throughput\": 100.0}\n";
    IngestReport r = Ingest.text(VLLM_SERVE, dir, "b300.json", json,
        IngestOptions.none().withQuant("BF16").withDevice("L40S"));
    assertThat(at(r, 1).scenario().device()).isEqualTo("L40S");
    assertThat(at(r, 1).notes()).contains("gpu NVIDIA B300");
  }

  @Test
  void inconsistentThroughputAndPoolingResultsAreRejected() throws IOException {
    String bad = "{\"model_id\": \"meta-llama/Llama-3.2-3B-Instruct\", \"max_concurrency\": 1, \"duration\": 2.0,"
        + " \"completed\": 4, \"total_input_tokens\": 400, \"total_output_tokens\": 200, \"output_throughput\": 150.0}";
    String pooling = "{\"model_id\": \"x\", \"completed\": 4, \"total_input_sequences\": 4,"
        + " \"input_sequence_throughput\": 3.0}";
    String noOutput = "{\"model_id\": \"meta-llama/Llama-3.2-3B-Instruct\", \"completed\": 4}";
    IngestReport r = Ingest.text(VLLM_SERVE, dir, "bad.jsonl", bad + "\n" + pooling + "\n" + noOutput + "\n",
        IngestOptions.none().withDevice("L40S").withQuant("BF16"));
    assertThat(rejectedAt(r, 1).reason()).isEqualTo(RejectReason.INCONSISTENT);
    assertThat(rejectedAt(r, 2).reason()).isEqualTo(RejectReason.UNSUPPORTED);
    assertThat(rejectedAt(r, 3).reason()).isEqualTo(RejectReason.MISSING_FIELD);
    assertThat(rejectedAt(r, 3).detail()).contains("output_throughput");
  }

  @Test
  void tensorParallelMetadataIsALayout() throws IOException {
    String json = "{\"model_id\": \"meta-llama/Llama-3.2-3B-Instruct\", \"tensor_parallel_size\": \"2\","
        + " \"max_concurrency\": 1, \"completed\": 4, \"total_input_tokens\": 400, \"total_output_tokens\": 200,"
        + " \"output_throughput\": 100.0}";
    IngestReport r = Ingest.text(VLLM_SERVE, dir, "tp.json", json, IngestOptions.none().withDevice("L40S")
        .withQuant("BF16"));
    assertThat(r.rejected()).isEmpty();
    assertThat(at(r, 1).scenario().devices()).isEqualTo(2);
    assertThat(at(r, 1).scenario().tp()).isEqualTo(2);
    assertThat(at(r, 1).notes()).contains("tensor_parallel_size 2");
  }

  @Test
  void expertParallelIsTpTimesDpAndACountThatDisagreesIsRefused() throws IOException {
    String base = "\"max_concurrency\": 1, \"completed\": 4, \"total_input_tokens\": 400, \"total_output_tokens\": 200,"
        + " \"output_throughput\": 100.0";
    String moe = "\"model_id\": \"Qwen/Qwen3-30B-A3B\", " + base;
    String ep = "{" + moe + ", \"gpu\": \"8xNVIDIA_L40S\", \"tensor_parallel_size\": 2, \"data_parallel_size\": 4,"
        + " \"enable_expert_parallel\": true}";
    String wrong = "{" + moe + ", \"gpu\": \"4xNVIDIA_L40S\", \"tensor_parallel_size\": 8}";
    String dense = "{\"model_id\": \"meta-llama/Llama-3.2-3B-Instruct\", " + base + ", \"gpu\": \"8xNVIDIA_L40S\","
        + " \"tensor_parallel_size\": 2, \"data_parallel_size\": 4, \"enable_expert_parallel\": true}";
    IngestReport r = Ingest.text(VLLM_SERVE, dir, "ep.jsonl", ep + "\n" + wrong + "\n" + dense + "\n",
        IngestOptions.none().withQuant("BF16"));
    // vLLM's expert-parallel group spans tp × dp = 2 × 4 = 8 GPUs
    assertThat(at(r, 1).scenario().devices()).isEqualTo(8);
    assertThat(at(r, 1).scenario().tp()).isEqualTo(2);
    assertThat(at(r, 1).scenario().ep()).isEqualTo(8);
    assertThat(rejectedAt(r, 2).reason()).isEqualTo(RejectReason.MULTI_GPU);
    assertThat(rejectedAt(r, 2).detail()).contains("4 GPUs", "tp 8");
    // a dense model has no experts to place: the flag changes nothing, and the run stays (ep 1)
    assertThat(at(r, 3).scenario().devices()).isEqualTo(8);
    assertThat(at(r, 3).scenario().ep()).isEqualTo(1);
    assertThat(at(r, 3).notes()).contains("enable_expert_parallel on a dense model: no experts to place, ep 1");
  }
}
