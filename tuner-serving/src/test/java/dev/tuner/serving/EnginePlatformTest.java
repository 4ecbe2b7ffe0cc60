package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which engine runs on which vendor's devices (data/SOURCES.md doc_engine_platforms), and what refuses the rest. */
class EnginePlatformTest {
  private static final Catalog CATALOG = Catalog.shipped();
  private static final EngineDefaults DEFAULTS = EngineDefaults.shipped();

  @ParameterizedTest
  @CsvSource({
      // engine, NVIDIA, AMD, Apple, Intel
      "LLAMA_CPP, true, true, true, true",
      "VLLM, true, true, true, true",
      "SGLANG, true, true, true, true",
      "TENSORRT_LLM, true, false, false, false",
      "LMDEPLOY, true, false, false, false",
      "MLX, true, false, true, false"})
  void eachEngineRunsOnTheVendorsItsPlatformListNames(EngineKind k, boolean nvidia, boolean amd, boolean apple,
      boolean intel) {
    assertThat(k.runsOn(CATALOG.device("H100 SXM5 80GB"))).isEqualTo(nvidia);
    assertThat(k.runsOn(CATALOG.device("AMD Instinct MI300X"))).isEqualTo(amd);
    assertThat(k.runsOn(CATALOG.device("Apple M2 Ultra (76-core GPU)"))).isEqualTo(apple);
    assertThat(k.runsOn(CATALOG.device("Intel Arc Pro B60"))).isEqualTo(intel);
  }

  @Test
  void aStatedBackendThatNamesNoneIsRefused() {
    EngineDefaults d = EngineDefaults.shipped();
    assertThatThrownBy(() -> d.engine(EngineKind.VLLM, "CUDAX", "")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("backend = CUDAX is invalid");
    assertThat(d.engine(EngineKind.VLLM, "ROCm", "").backend()).isEqualTo("ROCm");
    assertThat(d.engine(EngineKind.VLLM, "", "").backend()).isEmpty();
  }

  @Test
  void aDeviceOfAnotherVendorIsNotJudged() {
    DeviceSpec custom = new DeviceSpec("Acme X1", "Acme", 1000, OptionalDouble.of(100), OptionalDouble.empty(),
        OptionalDouble.of(25), 64, OptionalDouble.empty(), OptionalDouble.of(32), List.of(), "user");
    for (EngineKind k : EngineKind.values()) {
      assertThat(k.runsOn(custom)).as(k.id()).isTrue();
    }
  }

  private static ServingScenario scenario(String device, Engine engine) {
    return new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device(device), CATALOG.quant("BF16"),
        KvCacheType.F16, engine, new ParallelLayout(1, 1, 1, 1),
        new Workload(Lengths.fixed(512), Lengths.fixed(128), new Load.Concurrency(8)));
  }

  @Test
  void anEngineOnAnotherVendorsDeviceIsRefusedWithTheEnginesThatRunThere() {
    assertThatThrownBy(() -> scenario("Apple M2 Ultra (76-core GPU)", DEFAULTS.engine(EngineKind.TENSORRT_LLM, "",
        "")).requireRunnable())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("engine = tensorrt-llm on Apple M2 Ultra (76-core GPU) (Apple)")
        .hasMessageContaining("an engine that runs on Apple devices: llama.cpp, vllm, sglang, mlx");
    // llama.cpp runs everywhere, but its Metal backend only on Apple
    scenario("Apple M2 Ultra (76-core GPU)", DEFAULTS.engine(EngineKind.LLAMA_CPP, "Metal", "")).requireRunnable();
    assertThatThrownBy(() -> scenario("H100 SXM5 80GB", DEFAULTS.engine(EngineKind.LLAMA_CPP, "Metal", ""))
        .requireRunnable())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("backend = metal on H100 SXM5 80GB (NVIDIA)")
        .hasMessageEndingWith("cuda, vulkan, sycl");
  }

  @ParameterizedTest
  @CsvSource({
      // quant, llama.cpp, TensorRT-LLM (and LMDeploy), vLLM
      "Q4_K_M, true, false, true",
      "Q8_0, true, false, true",
      "IQ2_XS, true, false, true",
      "MXFP4_MOE, true, false, true",
      // the gpt-oss checkpoints' own layout (and its F16 GGUF conversion)
      "MXFP4_EXPERTS_F16, true, true, true",
      "F16, true, true, true",
      "BF16, true, true, true",
      // ggml has no FP8 or NVFP4 type: one list with the step side's (Quantization.checkpointOnly)
      "FP8, false, true, true",
      "NVFP4, false, true, true",
      "AWQ, false, true, true",
      "GPTQ, false, true, true",
      "GPTQ_INT8, false, true, true",
      "W8A8_INT8, false, true, true",
      "INT8_W8A16, false, true, true"})
  void ggufTypesLoadInLlamaCppAndCheckpointFormatsInTheServers(String quant, boolean llamaCpp, boolean trt,
      boolean vllm) {
    var q = CATALOG.quant(quant);
    assertThat(EngineKind.LLAMA_CPP.loads(q)).isEqualTo(llamaCpp);
    assertThat(EngineKind.TENSORRT_LLM.loads(q)).isEqualTo(trt);
    assertThat(EngineKind.LMDEPLOY.loads(q)).isEqualTo(trt);
    assertThat(EngineKind.VLLM.loads(q)).isEqualTo(vllm);
  }

  private static ServingScenario onH100(String quant, Engine engine) {
    return new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"), CATALOG.quant(quant),
        KvCacheType.F16, engine, new ParallelLayout(1, 1, 1, 1),
        new Workload(Lengths.fixed(512), Lengths.fixed(128), new Load.Concurrency(8)));
  }

  @Test
  void weightsInAFormatTheEngineDoesNotLoadAreRefused() {
    assertThatThrownBy(() -> onH100("Q4_K_M", DEFAULTS.engine(EngineKind.TENSORRT_LLM, "", "")).requireRunnable())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("quantization = Q4_K_M on tensorrt-llm")
        .hasMessageContaining("not a GGUF block type");
    Engine llamaCpp = DEFAULTS.engine(EngineKind.LLAMA_CPP, "CUDA", "");
    assertThatThrownBy(() -> onH100("AWQ", llamaCpp).requireRunnable())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("quantization = AWQ on llama.cpp")
        .hasMessageContaining("a GGUF type");
    onH100("Q4_K_M", llamaCpp).requireRunnable();
  }

  /**
   * A KV cache of a type the engine does not run is refused, naming the ones it does: llama.cpp has no FP8 cache, vLLM
   * and SGLang no ggml integer blocks; TensorRT-LLM (INT8 and FP8 caches) is not judged.
   */
  @Test
  void aKvCacheTypeTheEngineDoesNotRunIsRefused() {
    Engine llamaCpp = DEFAULTS.engine(EngineKind.LLAMA_CPP, "CUDA", "");
    assertThatThrownBy(() -> onH100("Q4_K_M", llamaCpp).withKvCache(KvCacheType.FP8).requireRunnable())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("kv cache = fp8 on llama.cpp is invalid: expected a KV-cache type llama.cpp runs: f16, q8_0, q4_0"
            + " (ServingScenario's kvCache, --kv-cache-type in the CLI)");
    for (EngineKind k : List.of(EngineKind.VLLM, EngineKind.SGLANG)) {
      assertThatThrownBy(() -> onH100("BF16", DEFAULTS.engine(k, "", "")).withKvCache(KvCacheType.Q8_0)
          .requireRunnable()).as(k.id()).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("kv cache = q8_0 on " + k.id() + " is invalid: expected a KV-cache type " + k.id()
              + " runs: f16, fp8");
      onH100("BF16", DEFAULTS.engine(k, "", "")).withKvCache(KvCacheType.FP8).requireRunnable();
    }
    onH100("Q4_K_M", llamaCpp).withKvCache(KvCacheType.Q8_0).requireRunnable();
    onH100("BF16", DEFAULTS.engine(EngineKind.TENSORRT_LLM, "", "")).withKvCache(KvCacheType.Q8_0).requireRunnable();
  }

  @Test
  void recommendDropsAnEngineTheDeviceCannotRunAndPredictsTheOthers() {
    ServingPredictor predictor = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)),
        ServingTermsCodec.shipped());
    ServingRequest q = new ServingRequest(CATALOG.model("Llama 3.1 8B"), CATALOG.device("AMD Instinct MI300X"),
        Lengths.fixed(1000), Lengths.fixed(200), List.of(DEFAULTS.engine(EngineKind.VLLM, "", ""),
        DEFAULTS.engine(EngineKind.TENSORRT_LLM, "", "")), List.of(CATALOG.quant("BF16")), List.of(1),
        List.of(1, 8), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty());
    ServingRecommender.Recommendation r = new ServingRecommender(predictor).recommend(q);
    // vLLM: 1 layout × 2 concurrencies predicted; TensorRT-LLM: its 1 layout dropped for the platform
    assertThat(r.candidates()).hasSize(2)
        .allSatisfy(c -> assertThat(c.scenario().engine().kind()).isEqualTo(EngineKind.VLLM));
    assertThat(r.dropped()).singleElement().satisfies(d -> {
      assertThat(d.engine().kind()).isEqualTo(EngineKind.TENSORRT_LLM);
      assertThat(d.reason()).contains("an engine that runs on AMD devices: llama.cpp, vllm, sglang");
    });
  }

  /** The backend a serving engine runs on: the one it states or its family implies, else the device's usual one. */
  @Test
  void anEngineRunsOnItsStatedBackendOrTheDevicesUsualOne() {
    DeviceSpec mac = CATALOG.device("Apple M2 Ultra (76-core GPU)");
    DeviceSpec h100 = CATALOG.device("H100 SXM5 80GB");
    assertThat(DEFAULTS.engine(EngineKind.LLAMA_CPP, "", "").backendOn(mac))
        .isEqualTo(dev.tuner.core.scenario.Backend.METAL);
    assertThat(DEFAULTS.engine(EngineKind.LLAMA_CPP, "Vulkan", "").backendOn(mac))
        .isEqualTo(dev.tuner.core.scenario.Backend.VULKAN);
    assertThat(DEFAULTS.engine(EngineKind.TENSORRT_LLM, "", "").backendOn(h100))
        .isEqualTo(dev.tuner.core.scenario.Backend.CUDA);
    assertThat(DEFAULTS.engine(EngineKind.VLLM, "", "").backendOn(CATALOG.device("AMD Instinct MI300X")))
        .isEqualTo(dev.tuner.core.scenario.Backend.ROCM);
  }

  private static ServingScenario split(String model, EngineKind engine, int tp) {
    return new ServingScenario(CATALOG.model(model), CATALOG.device("H100 SXM5 80GB"), CATALOG.quant("BF16"),
        KvCacheType.F16, DEFAULTS.engine(engine, "", ""), new ParallelLayout(tp, tp, 1, 1),
        new Workload(Lengths.fixed(512), Lengths.fixed(128), new Load.Concurrency(8)));
  }

  @Test
  void aTensorParallelSizeThatSplitsAHeadIsRefusedByTheEnginesThatShardHeadsOnly() {
    for (EngineKind k : List.of(EngineKind.VLLM, EngineKind.SGLANG, EngineKind.TENSORRT_LLM, EngineKind.LMDEPLOY)) {
      assertThatThrownBy(() -> split("Llama 3.1 8B", k, 3).requireRunnable()).as(k.id())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("layout = tp 3, pp 1, ep 1 of Llama 3.1 8B is invalid: expected a split " + k.id()
              + " can run: tp 3 does not divide the 32 attention heads (tensor-parallel sizes that do: 1, 2, 4, 8,"
              + " 16, 32)");
      split("Llama 3.1 8B", k, 4).requireRunnable();
    }
    // llama.cpp splits rows, not heads; but no engine places experts on a dense model (llama.cpp none on any model)
    split("Llama 3.1 8B", EngineKind.LLAMA_CPP, 3).requireRunnable();
    ServingScenario dense = split("Llama 3.1 8B", EngineKind.VLLM, 1).withLayout(new ParallelLayout(2, 1, 1, 2));
    assertThatThrownBy(dense::requireRunnable).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("ep 2 on a dense model, which has no routed experts to place");
  }

  @Test
  void llamaServerRunsFourSlotsAndOllamaOneByDefault() {
    // llama-server's --parallel auto (4 slots, one unified KV cache) since llama.cpp pull request 16736; Ollama's
    // OLLAMA_NUM_PARALLEL 1 (data/SOURCES.md doc_llamacpp_server, doc_ollama_num_parallel)
    EngineLimits server = DEFAULTS.of("llama.cpp");
    assertThat(server.maxBatch()).isEqualTo(4);
    assertThat(server.chunkedPrefill()).isTrue();
    assertThat(DEFAULTS.of("Ollama 0.12").maxBatch()).isEqualTo(1);
    assertThat(DEFAULTS.engine("ollama", "", "").kind()).isEqualTo(EngineKind.LLAMA_CPP);
    // the rest of Ollama's row is llama.cpp's
    assertThat(DEFAULTS.of("ollama").withMaxBatch(4)).isEqualTo(server);
    assertThat(DEFAULTS.of("vllm")).isEqualTo(DEFAULTS.of(EngineKind.VLLM));
    // mlx_lm.server decodes up to 32 batchable requests together (doc_mlx_lm)
    assertThat(DEFAULTS.of("mlx").maxBatch()).isEqualTo(32);
  }
}
