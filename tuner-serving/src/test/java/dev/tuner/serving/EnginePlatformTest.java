package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
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
  void aDeviceOfAnotherVendorIsNotJudged() {
    DeviceSpec custom = new DeviceSpec("Acme X1", "Acme", 1000, OptionalDouble.of(100), OptionalDouble.empty(),
        OptionalDouble.of(25), 64, OptionalDouble.empty(), OptionalDouble.of(32), List.of(), "user");
    for (EngineKind k : EngineKind.values()) {
      assertThat(k.runsOn(custom)).as(k.id()).isTrue();
    }
  }

  private static ServingScenario scenario(String device, Engine engine) {
    return new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device(device), CATALOG.quant("BF16"),
        KvCacheType.F16, engine, new Layout(1, 1, 1, 1),
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
        .hasMessageContaining("cuda, vulkan, sycl, cpu");
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
}
