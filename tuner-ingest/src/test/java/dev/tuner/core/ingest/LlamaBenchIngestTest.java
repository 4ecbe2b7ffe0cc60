package dev.tuner.core.ingest;

import static dev.tuner.core.ingest.Ingest.at;
import static dev.tuner.core.ingest.Ingest.rejectedAt;
import static dev.tuner.core.ingest.IngestFormat.LLAMA_BENCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.core.data.Measurement;
import dev.tuner.core.scenario.ScenarioRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LlamaBenchIngestTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void sample1JsonG1BooleanFlags() {
    IngestReport r = Ingest.sample(LLAMA_BENCH, "llama-bench-sample1-2023-b1275.json", IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    assertThat(r.accepted()).hasSize(2);
    Measurement pp = at(r, 2);
    ScenarioRequest s = pp.scenario();
    assertThat(s.phase()).isEqualTo("prefill");
    assertThat(s.context()).isEqualTo(512);
    assertThat(s.batch()).isEqualTo(1);
    assertThat(pp.tokensPerSecond()).isEqualTo(2410.974041);
    assertThat(s.device()).isEqualTo("RTX 3090 Ti");
    assertThat(s.quant()).isEqualTo("Q4_0");
    assertThat(s.model()).isNull();
    assertThat(s.paramsB()).isCloseTo(6.738415616, within(1e-12));
    assertThat(s.kvCacheType()).isEqualTo("f16");
    assertThat(pp.backend()).isEqualTo("llama.cpp CUDA");
    assertThat(pp.sourceId()).isEqualTo("ingest:llama-bench-sample1-2023-b1275.json");
    assertThat(pp.notes()).contains("llama-bench pp512", "build 1275 (3469684)", "n_batch 512", "over 5 runs");
    // 2023 files have no n_depth, n_ubatch or flash_attn: unknown, not defaulted
    assertThat(s.depth()).isNull();
    assertThat(s.nUbatch()).isNull();
    assertThat(s.flashAttn()).isNull();
    assertThat(s.build()).isEqualTo("b1275");
    // test_time 2023-09-23T12:09:57Z: the run's month stands for the build's
    assertThat(s.buildDate()).isEqualTo("2023-09");
    assertThat(s.modelSizeBytes()).isEqualTo(3_825_065_984.0);
    assertThat(s.devices()).isNull();
    Measurement tg = at(r, 33);
    assertThat(tg.scenario().phase()).isEqualTo("decode");
    assertThat(tg.scenario().context()).isEqualTo(128);
    assertThat(tg.tokensPerSecond()).isEqualTo(130.965708);
  }

  @Test
  void sample1CsvEveryValueQuoted() {
    IngestReport r = Ingest.sample(LLAMA_BENCH, "llama-bench-sample1-2023-b1275.csv", IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    assertThat(at(r, 2).tokensPerSecond()).isEqualTo(2413.341687);
    assertThat(at(r, 2).scenario().phase()).isEqualTo("prefill");
    assertThat(at(r, 3).tokensPerSecond()).isEqualTo(132.052051);
    assertThat(at(r, 3).scenario().context()).isEqualTo(128);
    assertThat(at(r, 3).scenario().quant()).isEqualTo("Q4_0");
    assertThat(at(r, 3).backend()).isEqualTo("llama.cpp CUDA");
  }

  @Test
  void sample2JsonG3BackendsStringAndDepth() {
    IngestReport r = Ingest.sample(LLAMA_BENCH, "llama-bench-sample2-2025-b5163.json", IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    Measurement pp = at(r, 2);
    assertThat(pp.tokensPerSecond()).isEqualTo(7100.002165);
    assertThat(pp.scenario().context()).isEqualTo(512);
    assertThat(pp.scenario().device()).isEqualTo("RTX 4080");
    assertThat(pp.scenario().quant()).isEqualTo("Q4_K_M");
    // found from the file name Qwen2.5-7B-Instruct-Q4_K_M.gguf, and its 7.62 B agrees with model_n_params
    assertThat(pp.scenario().model()).isEqualTo("Qwen2.5 7B");
    assertThat(pp.scenario().paramsB()).isNull();
    assertThat(pp.notes()).contains("n_ubatch 512", "flash-attn off");
    Measurement tg = at(r, 39);
    assertThat(tg.scenario().phase()).isEqualTo("decode");
    assertThat(tg.tokensPerSecond()).isEqualTo(118.881588);
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-bench-sample2-2025-b5163.json", "llama-bench-sample2-2025-b5163.jsonl",
      "llama-bench-sample2-2025-b5163.csv"})
  void sample2FillsTheEngineSettingsAndTheFileSize(String file) {
    IngestReport r = Ingest.sample(LLAMA_BENCH, file, IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    assertThat(r.accepted()).isNotEmpty().allSatisfy(m -> {
      ScenarioRequest s = m.scenario();
      assertThat(s.depth()).isZero();
      assertThat(s.nUbatch()).isEqualTo(512);
      assertThat(s.flashAttn()).isFalse();
      assertThat(s.kvCacheType()).isEqualTo("f16");
      assertThat(s.build()).isEqualTo("b5163");
      assertThat(s.buildDate()).isEqualTo("2025-04");
      assertThat(s.modelSizeBytes()).isEqualTo(4_677_120_000.0);
      assertThat(s.devices()).isNull();
    });
  }

  @Test
  void sample2Jsonl() {
    IngestReport r = Ingest.sample(LLAMA_BENCH, "llama-bench-sample2-2025-b5163.jsonl", IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    assertThat(at(r, 1).tokensPerSecond()).isEqualTo(7263.609157);
    assertThat(at(r, 1).scenario().phase()).isEqualTo("prefill");
    assertThat(at(r, 2).tokensPerSecond()).isEqualTo(119.844681);
    assertThat(at(r, 2).scenario().context()).isEqualTo(128);
  }

  @Test
  void sample2Csv() {
    IngestReport r = Ingest.sample(LLAMA_BENCH, "llama-bench-sample2-2025-b5163.csv", IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    assertThat(at(r, 2).tokensPerSecond()).isEqualTo(7285.676949);
    assertThat(at(r, 3).tokensPerSecond()).isEqualTo(119.915244);
    assertThat(at(r, 3).scenario().quant()).isEqualTo("Q4_K_M");
    assertThat(at(r, 3).scenario().kvCacheType()).isEqualTo("f16");
  }

  @Test
  void markdown2023NeedsDeviceAndRejectsTheMixedTest() {
    IngestReport without = Ingest.sample(LLAMA_BENCH, "llama-bench-md-2023-pr2626.md", IngestOptions.none());
    assertThat(without.accepted()).isEmpty();
    assertThat(without.rejectedByReason()).containsExactly(
        Map.entry(RejectReason.MIXED_PHASE, 1), Map.entry(RejectReason.NO_DEVICE, 4));

    IngestReport r = Ingest.sample(LLAMA_BENCH, "llama-bench-md-2023-pr2626.md",
        IngestOptions.none().withDevice("RTX 4090"));
    assertThat(r.accepted()).hasSize(4);
    assertThat(rejectedAt(r, 13).reason()).isEqualTo(RejectReason.MIXED_PHASE);
    assertThat(rejectedAt(r, 13).message()).startsWith("mixed prefill+decode figure");
    Measurement pp = at(r, 4);
    assertThat(pp.scenario().phase()).isEqualTo("prefill");
    assertThat(pp.scenario().context()).isEqualTo(512);
    assertThat(pp.tokensPerSecond()).isEqualTo(2242.06);
    assertThat(pp.scenario().quant()).isEqualTo("Q4_0");
    // "LLaMA 7B" is not in the test catalog and the table has no params column: the size label, flagged as rounded
    assertThat(pp.scenario().paramsB()).isEqualTo(7.0);
    assertThat(pp.notes()).contains("size label 7B (rounded)");
    assertThat(pp.scenario().device()).isEqualTo("RTX 4090");
    Measurement tg = at(r, 12);
    assertThat(tg.scenario().phase()).isEqualTo("decode");
    assertThat(tg.scenario().context()).isEqualTo(128);
    assertThat(tg.tokensPerSecond()).isEqualTo(128.65);
  }

  @Test
  void markdown2024RejectsCpuRowsAndReadsParams() {
    IngestReport r = Ingest.sample(LLAMA_BENCH, "llama-bench-md-2024-pr2059-rx6800xt.md",
        IngestOptions.none().withDevice("AMD Radeon RX 6800 XT"));
    assertThat(r.recordsSeen()).isEqualTo(11);
    assertThat(r.accepted()).hasSize(5);
    assertThat(r.rejectedByReason()).containsExactly(Map.entry(RejectReason.CPU_ONLY, 6));
    Measurement vulkan = at(r, 9);
    assertThat(vulkan.backend()).isEqualTo("llama.cpp Vulkan");
    assertThat(vulkan.tokensPerSecond()).isEqualTo(374.44);
    assertThat(vulkan.scenario().paramsB()).isEqualTo(13.02);
    assertThat(vulkan.scenario().quant()).isEqualTo("Q6_K");
    assertThat(at(r, 13).backend()).isEqualTo("llama.cpp ROCm");
    assertThat(at(r, 13).tokensPerSecond()).isEqualTo(684.11);
    assertThat(at(r, 6).tokensPerSecond()).isEqualTo(21.17);
    assertThat(at(r, 6).scenario().phase()).isEqualTo("decode");
  }

  @Test
  void markdown2025TakesTheGpuFromTheBannerAndTheModelFromTheCommandLine() {
    IngestReport r = Ingest.sample(LLAMA_BENCH, "llama-bench-md-2025-pr13324-rtx2070-vulkan.md",
        IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    Measurement pp = at(r, 16);
    assertThat(pp.scenario().device()).isEqualTo("RTX 2070");
    assertThat(pp.scenario().model()).isEqualTo("Qwen3 4B");
    // model_type's file type wins over the file name's Unsloth label, which is kept in the notes
    assertThat(pp.scenario().quant()).isEqualTo("Q4_K_M");
    assertThat(pp.notes()).contains("file name says Q4_K_XL", "flash-attn on", "build 5298 (141a908a)");
    assertThat(pp.tokensPerSecond()).isEqualTo(139.97);
    assertThat(at(r, 17).tokensPerSecond()).isEqualTo(35.87);
    assertThat(at(r, 17).scenario().context()).isEqualTo(128);
    // fa column 1, the build footer (5298) and the size column 2.37 GiB × 2^30 = 2 544 768 122.88 → 2 544 768 123
    assertThat(pp.scenario().flashAttn()).isTrue();
    assertThat(pp.scenario().build()).isEqualTo("b5298");
    assertThat(pp.scenario().modelSizeBytes()).isEqualTo(2_544_768_123.0);
  }

  @Test
  void rowSplitIsTensorParallelAndDevicesListTheGpusUsed() throws IOException {
    String row = record(Map.of("gpu_info", "NVIDIA GeForce RTX 4090, NVIDIA GeForce RTX 4090",
        "split_mode", "row", "tensor_split", "3/1"), "samples_ts");
    String listed = record(Map.of("gpu_info", "NVIDIA GeForce RTX 4090, NVIDIA GeForce RTX 4090, NVIDIA GeForce"
        + " RTX 4080", "devices", "CUDA0/CUDA1"), "samples_ts");
    String mixed = record(Map.of("gpu_info", "NVIDIA GeForce RTX 4090, NVIDIA GeForce RTX 4080"), "samples_ts");
    String rpc = record(Map.of("backends", "CUDA+RPC"), "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "multi.jsonl", String.join("\n", row, listed, mixed, rpc) + "\n",
        IngestOptions.none());
    assertThat(at(r, 1).scenario().devices()).isEqualTo(2);
    assertThat(at(r, 1).scenario().tp()).isEqualTo(2);
    assertThat(at(r, 1).scenario().pp()).isEqualTo(1);
    assertThat(at(r, 1).notes()).contains("split_mode row over 2 GPUs", "tensor_split 3/1");
    assertThat(at(r, 2).scenario().device()).isEqualTo("RTX 4090");
    assertThat(at(r, 2).scenario().devices()).isEqualTo(2);
    assertThat(at(r, 2).scenario().pp()).isEqualTo(2);
    assertThat(rejectedAt(r, 3).reason()).isEqualTo(RejectReason.MULTI_GPU);
    assertThat(rejectedAt(r, 3).detail()).contains("different GPUs");
    assertThat(rejectedAt(r, 4).reason()).isEqualTo(RejectReason.MULTI_GPU);
  }

  @Test
  void depthIsItsOwnFieldInMarkdown() throws IOException {
    String md = """
        | model                          |       size |     params | backend    | ngl |            test |                  t/s |
        | ------------------------------ | ---------: | ---------: | ---------- | --: | --------------: | -------------------: |
        | llama 7B Q4_0                  |   3.56 GiB |     6.74 B | CUDA       |  99 |  pp512 @ d4096 |      5000.12 ± 12.3 |
        | llama 7B Q4_0                  |   3.56 GiB |     6.74 B | CUDA       |  99 |   tg128 @ d4096 |       123.45 ± 1.2 |
        | llama 7B Q4_0                  |   3.56 GiB |     6.74 B | CUDA       |  99 |           tg128 |       130.00 Â± 0.5 |
        """;
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "depth.md", md, IngestOptions.none().withDevice("RTX 4090"));
    assertThat(r.rejected()).isEmpty();
    // pp512 @ d4096: a 512-token window over 4096 cached tokens
    assertThat(at(r, 3).scenario().context()).isEqualTo(512);
    assertThat(at(r, 3).scenario().depth()).isEqualTo(4096);
    assertThat(at(r, 3).scenario().phase()).isEqualTo("prefill");
    assertThat(at(r, 4).scenario().context()).isEqualTo(128);
    assertThat(at(r, 4).scenario().depth()).isEqualTo(4096);
    assertThat(at(r, 5).scenario().depth()).isZero();
    // the size column: 3.56 GiB × 2^30 = 3 822 520 893.44 → 3 822 520 893 bytes
    assertThat(at(r, 3).scenario().modelSizeBytes()).isEqualTo(3_822_520_893.0);
    assertThat(at(r, 4).tokensPerSecond()).isEqualTo(123.45);
    assertThat(at(r, 4).notes()).contains("tg128 @ d4096");
    assertThat(at(r, 5).tokensPerSecond()).isEqualTo(130.00);
  }

  @Test
  void depthIsItsOwnFieldInJson() throws IOException {
    String line = record(Map.of("n_prompt", 0, "n_gen", 32, "n_depth", 16384, "avg_ts", 95.5), "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "d.jsonl", line + "\n", IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    assertThat(at(r, 1).scenario().context()).isEqualTo(32);
    assertThat(at(r, 1).scenario().depth()).isEqualTo(16384);
    assertThat(at(r, 1).notes()).contains("tg32 @ d16384");
  }

  @Test
  void g2BooleanFlagsAndTheKomputeQuirk() throws IOException {
    // 2024 builds: one boolean per backend; some print the vulkan value into kompute as well
    String line = record(Map.of("vulkan", true, "kompute", true, "cuda", false, "metal", false, "sycl", false,
        "gpu_blas", true, "blas", true, "rpc", "0", "flash_attn", true), "backends", "n_depth", "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "g2.jsonl", line + "\n", IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    assertThat(r.accepted().get(0).backend()).isEqualTo("llama.cpp Vulkan");
    assertThat(r.accepted().get(0).scenario().context()).isEqualTo(512);
    assertThat(r.accepted().get(0).notes()).contains("flash-attn on");
  }

  @Test
  void aHipBuildsCudaFlagOnAnAmdGpuIsRocm() throws IOException {
    // llama.cpp's HIP build is its CUDA backend compiled for AMD: 2024 JSON says cuda: true, markdown says ROCm
    String amd = record(Map.of("cuda", true, "vulkan", false, "metal", false, "sycl", false, "gpu_blas", true,
        "gpu_info", "AMD Radeon RX 6800 XT"), "backends", "n_depth", "samples_ts");
    String nvidia = record(Map.of("cuda", true, "vulkan", false, "metal", false, "sycl", false, "gpu_blas", true),
        "backends", "n_depth", "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "hip.jsonl", amd + "\n" + nvidia + "\n", IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    assertThat(at(r, 1).backend()).isEqualTo("llama.cpp ROCm");
    assertThat(at(r, 1).notes()).contains("cuda flag of a HIP build on an AMD GPU: ROCm");
    assertThat(at(r, 2).backend()).isEqualTo("llama.cpp CUDA");
  }

  @Test
  void flashAttnAsLateIntegerAndKvCacheTypes() throws IOException {
    String ok = record(Map.of("flash_attn", -1, "type_k", "q8_0", "type_v", "q8_0"), "samples_ts");
    String mixed = record(Map.of("type_k", "q8_0", "type_v", "f16"), "samples_ts");
    String f32 = record(Map.of("type_k", "f32", "type_v", "f32"), "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "kv.jsonl", ok + "\n" + mixed + "\n" + f32 + "\n",
        IngestOptions.none());
    assertThat(at(r, 1).scenario().kvCacheType()).isEqualTo("q8_0");
    assertThat(at(r, 1).notes()).contains("flash-attn auto");
    assertThat(rejectedAt(r, 2).reason()).isEqualTo(RejectReason.UNSUPPORTED_KV_CACHE);
    assertThat(rejectedAt(r, 3).detail()).contains("f32");
  }

  @Test
  void cpuOnlyAndPartialOffloadAreRejectedAndTwoGpusAreALayout() throws IOException {
    String cpu = record(Map.of("backends", "CPU"), "samples_ts");
    String blas = record(Map.of("backends", "BLAS", "n_gpu_layers", 99), "samples_ts");
    String partial = record(Map.of("n_gpu_layers", 20), "samples_ts");
    String full = record(Map.of("n_gpu_layers", 28), "samples_ts");
    String twoGpus = record(Map.of("gpu_info", "NVIDIA GeForce RTX 4090, NVIDIA GeForce RTX 4090"), "samples_ts");
    String oneOfTwo = record(Map.of("gpu_info", "NVIDIA GeForce RTX 4090, NVIDIA GeForce RTX 4080",
        "split_mode", "none", "main_gpu", 1), "samples_ts");
    String nkvo = record(Map.of("no_kv_offload", true), "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "cpu.jsonl",
        String.join("\n", cpu, blas, partial, full, twoGpus, oneOfTwo, nkvo) + "\n", IngestOptions.none());
    assertThat(rejectedAt(r, 1).reason()).isEqualTo(RejectReason.CPU_ONLY);
    assertThat(rejectedAt(r, 2).reason()).isEqualTo(RejectReason.CPU_ONLY);
    assertThat(rejectedAt(r, 3).reason()).isEqualTo(RejectReason.PARTIAL_OFFLOAD);
    assertThat(rejectedAt(r, 3).detail()).isEqualTo("n_gpu_layers 20 of 28 layers");
    assertThat(at(r, 4).scenario().model()).isEqualTo("Qwen2.5 7B");
    // the default split_mode layer places whole layers on each GPU: a pipeline of 2
    assertThat(at(r, 5).scenario().devices()).isEqualTo(2);
    assertThat(at(r, 5).scenario().pp()).isEqualTo(2);
    assertThat(at(r, 5).scenario().tp()).isEqualTo(1);
    assertThat(at(r, 6).scenario().device()).isEqualTo("RTX 4080");
    assertThat(at(r, 6).scenario().devices()).isNull();
    assertThat(rejectedAt(r, 7).reason()).isEqualTo(RejectReason.PARTIAL_OFFLOAD);
  }

  @Test
  void unknownGpuNamesThePassDeviceRemedyAndTheFlagOverrides() throws IOException {
    String line = record(Map.of("gpu_info", "NVIDIA GeForce RTX 5090"), "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "u.jsonl", line + "\n", IngestOptions.none());
    assertThat(rejectedAt(r, 1).reason()).isEqualTo(RejectReason.UNKNOWN_DEVICE);
    assertThat(rejectedAt(r, 1).message()).contains("unknown device NVIDIA GeForce RTX 5090", "pass --device");
    IngestReport forced = Ingest.text(LLAMA_BENCH, dir, "u.jsonl", line + "\n",
        IngestOptions.none().withDevice("rtx4090").withQuant("Q8_0").withSourceId("my-lab"));
    Measurement m = at(forced, 1);
    assertThat(m.scenario().device()).isEqualTo("RTX 4090");
    assertThat(m.scenario().quant()).isEqualTo("Q8_0");
    assertThat(m.sourceId()).isEqualTo("my-lab");
    assertThat(m.notes()).contains("gpu_info NVIDIA GeForce RTX 5090");
  }

  @Test
  void aDeviceOrModelOtherThanTheFileNamesIsRefusedAndTheSameOneTaken() throws IOException {
    // gpu_info "NVIDIA GeForce RTX 4080", model_filename "models/Qwen2.5-7B-Instruct-Q4_K_M.gguf"
    String line = record(Map.of());
    IngestReport device = Ingest.text(LLAMA_BENCH, dir, "d.jsonl", line + "\n",
        IngestOptions.none().withDevice("RTX 4090"));
    assertThat(rejectedAt(device, 1).reason()).isEqualTo(RejectReason.INCONSISTENT);
    assertThat(rejectedAt(device, 1).detail()).isEqualTo("the output states device RTX 4080 but --device is RTX 4090");
    // Mistral 7B's 7.24 B parameters are near the file's 7.62 B: only its name tells them apart
    IngestReport model = Ingest.text(LLAMA_BENCH, dir, "m.jsonl", line + "\n",
        IngestOptions.none().withModel("Mistral 7B"));
    assertThat(rejectedAt(model, 1).detail()).isEqualTo("the output states model Qwen2.5 7B but --model is"
        + " Mistral 7B");
    IngestReport same = Ingest.text(LLAMA_BENCH, dir, "s.jsonl", line + "\n",
        IngestOptions.none().withDevice("NVIDIA GeForce RTX 4080").withModel("Qwen2.5 7B"));
    assertThat(at(same, 1).scenario().device()).isEqualTo("RTX 4080");
    assertThat(at(same, 1).scenario().model()).isEqualTo("Qwen2.5 7B");
  }

  @Test
  void aFileWithoutAModelNameTakesTheStatedModelWhateverItsArchitecture() throws IOException {
    // GGUF files of Mistral models state architecture llama: model_type names no model
    String line = record(Map.of("model_type", "llama 7B Q4_K - Medium"), "model_filename");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "a.jsonl", line + "\n",
        IngestOptions.none().withModel("Mistral 7B"));
    assertThat(at(r, 1).scenario().model()).isEqualTo("Mistral 7B");
  }

  @Test
  void aStatedModelFarFromTheFilesParameterCountIsRefused() throws IOException {
    String line = record(Map.of(), "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "m.jsonl", line + "\n",
        IngestOptions.none().withModel("Llama 2 13B"));
    assertThat(rejectedAt(r, 1).reason()).isEqualTo(RejectReason.INCONSISTENT);
    IngestReport ok = Ingest.text(LLAMA_BENCH, dir, "m.jsonl", line + "\n",
        IngestOptions.none().withModel("Qwen2.5 7B"));
    assertThat(at(ok, 1).scenario().model()).isEqualTo("Qwen2.5 7B");
  }

  @Test
  void quantFromTheFileNameWhenModelTypeIsUnknownAndUnknownQuantIsRejected() throws IOException {
    String fromFile = record(Map.of("model_type", "qwen2 7B weird-type"), "samples_ts");
    String unknown = record(Map.of("model_type", "qwen2 7B IQ2_XXS - 2.0625 bpw",
        "model_filename", "m/Qwen2.5-7B-IQ2_XXS.gguf"), "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "q.jsonl", fromFile + "\n" + unknown + "\n", IngestOptions.none());
    assertThat(at(r, 1).scenario().quant()).isEqualTo("Q4_K_M");
    assertThat(at(r, 1).notes()).contains("model_type says weird-type");
    assertThat(rejectedAt(r, 2).reason()).isEqualTo(RejectReason.UNKNOWN_QUANT);
    assertThat(rejectedAt(r, 2).detail()).contains("IQ2_XXS");
  }

  @Test
  void samplesThatContradictTheAverageAreRejected() throws IOException {
    String line = record(Map.of("avg_ts", 9000.0));
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "s.jsonl", line + "\n", IngestOptions.none());
    assertThat(rejectedAt(r, 1).reason()).isEqualTo(RejectReason.INCONSISTENT);
  }

  @Test
  void bannerNoiseBeforeJsonIsSkipped() throws IOException {
    String json = Files.readString(TestCatalog.sample("llama-bench-sample2-2025-b5163.json"));
    String noisy = "ggml_cuda_init: found 1 CUDA devices:\n  Device 0: NVIDIA GeForce RTX 4080, compute capability 8.9,"
        + " VMM: yes\nload_backend: loaded CUDA backend from /usr/lib/libggml-cuda.so\n" + json;
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "noisy.json", noisy, IngestOptions.none());
    assertThat(r.rejected()).isEmpty();
    assertThat(at(r, 5).tokensPerSecond()).isEqualTo(7100.002165);
  }

  @Test
  void aTableFromCompareLlamaBenchIsNotMistakenForResults() throws IOException {
    String md = """
        | Model | GPU | Test | t/s master | t/s branch | Speedup |
        |-------|-----|------|-----------:|-----------:|--------:|
        | llama 7B Q4_0 | RTX 4090 | pp512 | 100.0 | 110.0 | 1.10 |
        """;
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "cmp.md", md, IngestOptions.none().withDevice("RTX 4090"));
    assertThat(r.accepted()).isEmpty();
    assertThat(rejectedAt(r, 3).reason()).isEqualTo(RejectReason.UNSUPPORTED);
  }

  @Test
  void sqlOutputIsRejectedWithTheRemedy() throws IOException {
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "b.sql",
        "CREATE TABLE IF NOT EXISTS test (build_commit TEXT);\nINSERT INTO test (build_commit) VALUES ('x');\n",
        IngestOptions.none());
    assertThat(r.rejected()).singleElement().satisfies(x -> {
      assertThat(x.reason()).isEqualTo(RejectReason.UNSUPPORTED);
      assertThat(x.detail()).contains("-o jsonl");
    });
  }

  /**
   * A mixture of experts in a file llama-bench calls F16 but whose size is far below 16 bits: a checkpoint converted as
   * it ships, its experts MXFP4. Qwen3-30B-A3B: 28 991 029 248 routed parameters at 4.25 bits and the other
   * 1 538 970 752 at 16 make 18 479 425 792 bytes; at that size the row is MXFP4_EXPERTS_F16. The same model's true
   * F16 file (61.06 GB) stays F16, and so does a dense model's F16 file of any size.
   */
  @Test
  void aSixteenBitFileOfAMixtureFarBelowSixteenBitsKeepsItsExpertsInMxfp4() throws IOException {
    Map<String, Object> moe = Map.of("model_filename", "models/Qwen3-30B-A3B-F16.gguf", "model_type",
        "qwen3moe 30B.A3B F16", "model_n_params", 30_532_122_624L, "model_size", 18_479_425_792L);
    String converted = record(moe, "samples_ts");
    java.util.Map<String, Object> whole = new java.util.HashMap<>(moe);
    whole.put("model_size", 61_064_245_248L);
    String f16 = record(whole, "samples_ts");
    String dense = record(Map.of("model_type", "qwen2 7B F16", "model_size", 4_677_120_000L), "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "moe.jsonl", String.join("\n", converted, f16, dense) + "\n",
        IngestOptions.none());
    assertThat(at(r, 1).scenario().model()).isEqualTo("Qwen3-30B-A3B");
    assertThat(at(r, 1).scenario().quant()).isEqualTo("MXFP4_EXPERTS_F16");
    assertThat(at(r, 1).notes()).contains("F16 file of 4.842 bits per weight: its experts are MXFP4");
    assertThat(at(r, 1).scenario().modelSizeBytes()).isEqualTo(18_479_425_792.0);
    assertThat(at(r, 2).scenario().quant()).isEqualTo("F16");
    assertThat(at(r, 3).scenario().quant()).isEqualTo("F16");
    // --quant stands as given
    IngestReport stated = Ingest.text(LLAMA_BENCH, dir, "stated.jsonl", converted + "\n",
        IngestOptions.none().withQuant("F16"));
    assertThat(at(stated, 1).scenario().quant()).isEqualTo("F16");
  }

  /** sample2's first JSONL record with {@code overrides} applied and {@code removed} keys left out. */
  static String record(Map<String, Object> overrides, String... removed) throws IOException {
    String first = Files.readAllLines(TestCatalog.sample("llama-bench-sample2-2025-b5163.jsonl")).get(0);
    ObjectNode node = (ObjectNode) JSON.readTree(first);
    for (String key : removed) {
      node.remove(key);
    }
    overrides.forEach((k, v) -> node.set(k, JSON.valueToTree(v)));
    return JSON.writeValueAsString(node);
  }
}
