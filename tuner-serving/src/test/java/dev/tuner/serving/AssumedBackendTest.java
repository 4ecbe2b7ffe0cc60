package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.Bound;
import dev.tuner.api.Interval;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A llama.cpp deployment that states no backend runs on the one llama.cpp usually runs on the device, and its terms
 * are the step model's predictions on it: the serving prediction says which, once and first, in the step side's
 * words. A stated backend, and an engine that runs one backend on a vendor's devices, assume none.
 */
class AssumedBackendTest {
  private static final Catalog CATALOG = Catalog.shipped();
  private static final EngineDefaults DEFAULTS = EngineDefaults.shipped();
  private static final StepPhysics PHYSICS = new StepPhysics(new Roofline(CATALOG));
  private static final String NOTE = "no backend given";

  /** A predictor whose step model answers 50 decode and 1 000 prompt tokens/s, recording each step it is asked. */
  private static ServingPredictor recording(List<Scenario> asked) {
    return new ServingPredictor(PHYSICS, ServingTermsCodec.shipped(), Optional.of(new StepModelTerms(s -> {
      asked.add(s);
      return new ThroughputPrediction(s.phase() == Phase.DECODE ? 50 : 1000, 1e6, Bound.MEMORY, false, 0, 0.5,
          new Interval(0.9, 1, 1e4), List.of(), "step-model-x", List.of());
    })));
  }

  private static ServingScenario scenario(String engine, String backend, String device, String quant) {
    return new ServingScenario(CATALOG.model("Llama 3 8B"), CATALOG.device(device), CATALOG.quant(quant),
        KvCacheType.F16, DEFAULTS.engine(engine, backend, ""), ParallelLayout.SINGLE,
        new Workload(Lengths.fixed(512), Lengths.fixed(128), new Load.Concurrency(4)));
  }

  @Test
  void llamaCppWithoutABackendSaysOnceAndFirstWhichItAssumedAndTheStepModelIsAskedOnIt() {
    List<Scenario> asked = new ArrayList<>();
    ServingPrediction nvidia = recording(asked).predict(scenario("llama.cpp", "", "RTX 4090", "Q4_K_M"));
    assertThat(nvidia.assumptions().get(0)).isEqualTo("no backend given: cuda assumed, what llama.cpp runs on NVIDIA"
        + " devices as Ollama ships it (state another: Engine's backend, --backend in the CLI)");
    assertThat(nvidia.assumptions()).filteredOn(a -> a.contains(NOTE)).hasSize(1);
    assertThat(asked).extracting(s -> s.engine().backend()).containsOnly(Backend.CUDA);

    asked.clear();
    ServingPrediction amd = recording(asked).predict(scenario("llama.cpp", "", "AMD Radeon RX 7900 XTX", "Q4_K_M"));
    assertThat(amd.assumptions().get(0)).startsWith("no backend given: rocm assumed, what llama.cpp runs on AMD"
        + " devices");
    assertThat(amd.assumptions()).filteredOn(a -> a.contains(NOTE)).hasSize(1);
    assertThat(asked).extracting(s -> s.engine().backend()).containsOnly(Backend.ROCM);
  }

  @Test
  void ollamaAndASweepOverConcurrenciesSayItOnce() {
    ServingPredictor p = recording(new ArrayList<>());
    ServingScenario ollama = scenario("ollama", "", "Apple M2 Max (30-core GPU)", "Q4_K_M");
    assertThat(p.predict(ollama).assumptions()).filteredOn(a -> a.contains(NOTE)).singleElement().asString()
        .startsWith("no backend given: metal assumed, what llama.cpp runs on Apple devices");
    ServingScenario server = scenario("llama.cpp", "", "RTX 4090", "Q4_K_M");
    ServingPredictor.ConcurrencySweep sweep = p.sweep(server, PHYSICS.figures(server));
    for (int clients : new int[] {1, 8, 64}) {
      ServingScenario s = server.withWorkload(new Workload(Lengths.fixed(512), Lengths.fixed(128),
          new Load.Concurrency(clients)));
      assertThat(sweep.predict(s).assumptions()).as("%d clients", clients).filteredOn(a -> a.contains(NOTE))
          .hasSize(1);
    }
  }

  @Test
  void aStatedBackendIsNoAssumption() {
    ServingPredictor p = recording(new ArrayList<>());
    for (String backend : List.of("CUDA", "Vulkan")) {
      assertThat(p.predict(scenario("llama.cpp", backend, "RTX 4090", "Q4_K_M")).assumptions()).as(backend)
          .noneMatch(a -> a.contains(NOTE));
    }
  }

  /** vLLM runs ROCm on an AMD device and CUDA on an NVIDIA one, TensorRT-LLM only CUDA: no backend was chosen. */
  @Test
  void anEngineWithOneBackendOnTheDevicesVendorAssumesNone() {
    ServingPredictor p = recording(new ArrayList<>());
    assertThat(p.predict(scenario("vllm", "", "AMD Instinct MI300X", "BF16")).assumptions())
        .noneMatch(a -> a.contains(NOTE));
    assertThat(p.predict(scenario("vllm", "", "H100 SXM5 80GB", "BF16")).assumptions())
        .noneMatch(a -> a.contains(NOTE));
    assertThat(p.predict(scenario("tensorrt-llm", "", "H100 SXM5 80GB", "BF16")).assumptions())
        .noneMatch(a -> a.contains(NOTE));
  }
}
