package dev.tuner.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.Fixtures;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which backend drives which vendor's devices (llama.cpp's backends table), and the refusal of any other pairing. */
class BackendVendorTest {
  @ParameterizedTest
  @CsvSource({
      // backend, NVIDIA, AMD, Apple, Intel
      "CUDA, true, false, false, false",
      "METAL, false, false, true, false",
      "ROCM, false, true, false, false",
      "SYCL, true, false, false, true",
      "VULKAN, true, true, true, true",
      // the host's cores: only where they share the device's memory (the Mac), not beside a GPU's own
      "CPU, false, false, true, false",
      "UNKNOWN, true, true, true, true"})
  void aVendorBackendRunsOnlyOnItsVendorsDevices(Backend b, boolean nvidia, boolean amd, boolean apple,
      boolean intel) {
    assertThat(b.runsOn(Fixtures.CATALOG.device("RTX 4090"))).isEqualTo(nvidia);
    assertThat(b.runsOn(Fixtures.CATALOG.device("AMD Instinct MI300X"))).isEqualTo(amd);
    assertThat(b.runsOn(Fixtures.CATALOG.device("Apple M2 Ultra (76-core GPU)"))).isEqualTo(apple);
    assertThat(b.runsOn(Fixtures.CATALOG.device("Intel Arc Pro B60"))).isEqualTo(intel);
  }

  @Test
  void aStatedBackendThatNamesNoneIsRefusedNotReadAsTheUsualOne() {
    ScenarioRequest base = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode");
    assertThatThrownBy(() -> base.withBackend("Vulkn")).isInstanceOf(InvalidInputException.class)
        .hasMessage("backend = Vulkn is invalid: expected a compute API: CUDA, Metal, ROCm (or HIP), Vulkan, SYCL or"
            + " CPU");
    assertThat(base.withBackend("llama.cpp Vulkan").resolve(Fixtures.CATALOG).engine().backend())
        .isEqualTo(Backend.VULKAN);
    // blank is unstated: the device's usual backend, as before
    assertThat(Backend.parseStated("backend", " ")).isEqualTo(Backend.UNKNOWN);
    // a measurement's free text stays lenient: a row of an engine tuner cannot name is a row of unknown backend
    assertThat(Backend.parse("ExLlamaV2")).isEqualTo(Backend.UNKNOWN);
  }

  @Test
  void everyCatalogDeviceHasAVendorBackendOrVulkan() {
    // every shipped device is one of the four vendors, and at least Vulkan and one of its vendor's own backends run
    for (DeviceSpec d : Fixtures.CATALOG.devices().entries()) {
      assertThat(d.vendor()).as(d.name()).isIn("NVIDIA", "AMD", "Apple", "Intel");
      assertThat(List.of(Backend.values())).filteredOn(b -> !b.vendors().isEmpty() && b.runsOn(d))
          .as(d.name()).isNotEmpty();
      assertThat(Backend.VULKAN.runsOn(d)).isTrue();
    }
  }

  /** The CPU backend runs on the host: a catalog GPU with memory of its own is not where it runs (audit item 1). */
  @Test
  void theCpuBackendIsRefusedOnAGpuWithItsOwnMemoryAndAllowedWhereTheHostSharesIt() {
    EngineSettings cpu = new EngineSettings(512, false, Backend.CPU, "");
    assertThatThrownBy(() -> new Scenario(Fixtures.model(8), Fixtures.CATALOG.device("RTX 4090"),
        Fixtures.CATALOG.quant("Q4_K_M"), KvCacheType.F16, 1, 128, Phase.DECODE, false, Optional.empty(), false, 0,
        ParallelLayout.SINGLE, cpu))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("backend = cpu on RTX 4090 (NVIDIA, a GPU with its own memory) is invalid: expected a backend that"
            + " runs on it: cuda, vulkan, sycl. llama.cpp's CPU backend runs on the host's cores and memory, whose"
            + " figures the catalog does not hold, so the GPU's roofline would not bound it; to predict a CPU run,"
            + " describe the host by its figures instead of a catalog device (DeviceSpec.explicit; --mem-bw-gbs,"
            + " --fp16-tflops and --fp32-tflops without --device in the CLI)");
    // unified memory the host shares: an APU and a GB10 as well as Apple silicon
    assertThat(Backend.CPU.runsOn(Fixtures.CATALOG.device("AMD Ryzen AI Max+ 395 (Radeon 8060S)"))).isTrue();
    assertThat(Backend.CPU.runsOn(Fixtures.CATALOG.device("NVIDIA GB10 (DGX Spark)"))).isTrue();
    assertThat(Backend.runningOn(Fixtures.CATALOG.device("AMD Instinct MI300X"))).isEqualTo("rocm, vulkan");
    // the host described by its own figures
    DeviceSpec host = DeviceSpec.explicit("my host", 100, OptionalDouble.of(2), OptionalDouble.of(2), 0,
        OptionalDouble.empty(), OptionalDouble.empty());
    assertThat(new Scenario(Fixtures.model(8), host, Fixtures.CATALOG.quant("Q4_K_M"), KvCacheType.F16, 1, 128,
        Phase.DECODE, false, Optional.empty(), false, 0, ParallelLayout.SINGLE, cpu).engine().backend())
        .isEqualTo(Backend.CPU);
  }

  @Test
  void aVendorNoBackendNamesIsNotJudged() {
    DeviceSpec custom = new DeviceSpec("Acme X1", "Acme", 1000, OptionalDouble.of(100), OptionalDouble.empty(),
        OptionalDouble.of(25), 64, OptionalDouble.empty(), OptionalDouble.of(32), List.of(), "user");
    assertThat(Backend.CUDA.runsOn(custom)).isTrue();
    assertThat(Backend.METAL.runsOn(custom)).isTrue();
    // vendor names are matched whatever their case
    DeviceSpec lower = new DeviceSpec("my card", "nvidia", 1000, OptionalDouble.of(100), OptionalDouble.empty(),
        OptionalDouble.of(25), 64, OptionalDouble.empty(), OptionalDouble.of(32), List.of(), "user");
    assertThat(Backend.CUDA.runsOn(lower)).isTrue();
    assertThat(Backend.METAL.runsOn(lower)).isFalse();
  }

  @Test
  void aScenarioPairingABackendWithAnotherVendorsDeviceIsRefusedWithTheBackendsThatRun() {
    DeviceSpec m2 = Fixtures.CATALOG.device("Apple M2 Ultra (76-core GPU)");
    EngineSettings cuda = new EngineSettings(512, false, Backend.CUDA, "");
    assertThatThrownBy(() -> new Scenario(Fixtures.model(8), m2, Fixtures.CATALOG.quant("Q4_K_M"), KvCacheType.F16,
        1, 128, Phase.DECODE, false, Optional.empty(), false, 0, ParallelLayout.SINGLE, cuda))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("backend = cuda on Apple M2 Ultra (76-core GPU) (Apple)")
        .hasMessageContaining("a backend that runs on Apple devices: metal, vulkan, cpu");
    EngineSettings metal = new EngineSettings(512, false, Backend.METAL, "");
    assertThat(new Scenario(Fixtures.model(8), m2, Fixtures.CATALOG.quant("Q4_K_M"), KvCacheType.F16, 1, 128,
        Phase.DECODE, false, Optional.empty(), false, 0, ParallelLayout.SINGLE, metal).engine().backend())
        .isEqualTo(Backend.METAL);
  }

  @ParameterizedTest
  @CsvSource({
      "RTX 4090, CUDA",
      "AMD Instinct MI300X, ROCM",
      "Apple M2 Ultra (76-core GPU), METAL",
      "Intel Arc Pro B60, VULKAN"})
  void anUnstatedBackendIsTheOneOllamaShipsForTheVendor(String device, Backend usual) {
    DeviceSpec d = Fixtures.CATALOG.device(device);
    assertThat(Backend.usualOn(d)).isEqualTo(usual);
    assertThat(usual.runsOn(d)).isTrue();
    EngineSettings assumed = EngineSettings.DEFAULTS.withUsualBackend(d);
    assertThat(assumed.backend()).isEqualTo(usual);
    assertThat(assumed.backendAssumed()).isTrue();
    assertThat(assumed.backendAssumption(d)).hasValueSatisfying(a -> assertThat(a)
        .startsWith("no backend given: " + usual.id() + " assumed").contains(d.vendor() + " devices"));
    // a stated backend is the measurement's or the user's fact, never replaced nor said to be assumed
    EngineSettings vulkan = EngineSettings.DEFAULTS.withBackend(Backend.VULKAN);
    assertThat(vulkan.withUsualBackend(d)).isSameAs(vulkan);
    assertThat(vulkan.backendAssumed()).isFalse();
    assertThat(vulkan.backendAssumption(d)).isEmpty();
    // stating the assumed backend again makes it stated; another setting keeps it assumed
    assertThat(assumed.withBackend(usual).backendAssumed()).isFalse();
    assertThat(assumed.withNUbatch(256).backendAssumed()).isTrue();
  }

  @Test
  void onlyAKnownBackendCanHaveBeenAssumed() {
    assertThatThrownBy(() -> new EngineSettings(512, false, Backend.UNKNOWN, "", Optional.empty(),
        BlasLibrary.DEFAULT, true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("backendAssumed = true with an unknown backend is invalid: expected false: only a known backend"
            + " can have been assumed (withUsualBackend assumes one)");
  }

  /** The usual backend is the device's: on another device it is that device's usual one, a stated one stays. */
  @Test
  void anAssumedBackendFollowsTheDeviceAStatedOneDoesNot() {
    ScenarioRequest r = ScenarioRequest.of("Llama 3 8B", "Intel Arc Pro B60", "Q4_K_M", 1, 512, "decode");
    DeviceSpec rtx = Fixtures.CATALOG.device("RTX 4090");
    Scenario moved = r.resolve(Fixtures.CATALOG).withDevice(rtx);
    assertThat(moved.engine().backend()).isEqualTo(Backend.CUDA);
    assertThat(moved.engine().backendAssumed()).isTrue();
    Scenario stated = r.withBackend("Vulkan").resolve(Fixtures.CATALOG).withDevice(rtx);
    assertThat(stated.engine().backend()).isEqualTo(Backend.VULKAN);
    assertThat(stated.engine().backendAssumed()).isFalse();
  }

  @Test
  void everyCatalogDeviceHasAUsualBackendThatRunsOnIt() {
    for (DeviceSpec d : Fixtures.CATALOG.devices().entries()) {
      assertThat(Backend.usualOn(d)).as(d.name()).isNotEqualTo(Backend.UNKNOWN);
      assertThat(Backend.usualOn(d).runsOn(d)).as(d.name()).isTrue();
    }
  }

  @Test
  void aVendorNoneOfTheUsualBackendsNamesKeepsItsBackendUnknown() {
    DeviceSpec custom = new DeviceSpec("Acme X1", "Acme", 1000, OptionalDouble.of(100), OptionalDouble.empty(),
        OptionalDouble.of(25), 64, OptionalDouble.empty(), OptionalDouble.of(32), List.of(), "user");
    assertThat(Backend.usualOn(custom)).isEqualTo(Backend.UNKNOWN);
    assertThat(EngineSettings.DEFAULTS.withUsualBackend(custom)).isSameAs(EngineSettings.DEFAULTS);
  }

  @Test
  void hipBlasLtWithoutABackendIsRefusedWhereTheUsualBackendIsNotRocm() {
    EngineSettings hipblaslt = EngineSettings.of(null, null, null, null, null, BlasLibrary.HIPBLASLT);
    assertThat(hipblaslt.withUsualBackend(Fixtures.CATALOG.device("AMD Instinct MI300X")).backend())
        .isEqualTo(Backend.ROCM);
    assertThatThrownBy(() -> hipblaslt.withUsualBackend(Fixtures.CATALOG.device("RTX 4090")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("blas = hipblaslt on RTX 4090 (NVIDIA)")
        .hasMessageContaining("an AMD device on the ROCm backend");
  }

  @Test
  void aRequestWithoutABackendResolvesToTheUsualOne() {
    Scenario s = ScenarioRequest.of("Llama 2 7B", "Apple M2 Max (30-core GPU)", "Q4_0", 1, 512, "prefill")
        .resolve(Fixtures.CATALOG);
    assertThat(s.engine().backend()).isEqualTo(Backend.METAL);
    assertThat(s.engine().backendAssumed()).isTrue();
    Scenario stated = ScenarioRequest.of("Llama 2 7B", "Apple M2 Max (30-core GPU)", "Q4_0", 1, 512, "prefill")
        .withBackend("llama.cpp Vulkan").resolve(Fixtures.CATALOG);
    assertThat(stated.engine().backend()).isEqualTo(Backend.VULKAN);
    assertThat(stated.engine().backendAssumed()).isFalse();
    // stating the very backend the device would have taken is stating it
    assertThat(ScenarioRequest.of("Llama 2 7B", "Apple M2 Max (30-core GPU)", "Q4_0", 1, 512, "prefill")
        .withBackend("Metal").resolve(Fixtures.CATALOG).engine().backendAssumed()).isFalse();
  }

  /** A split's collectives run on the GPU-to-GPU link: without its bandwidth nothing bounds them (issue 15 §1). */
  @Test
  void aModelSplitNeedsALinkOfStatedBandwidthAndReplicasDoNot() {
    DeviceSpec mac = Fixtures.CATALOG.device("Apple M2 Max (38-core GPU)");
    ParallelLayout tp2 = new ParallelLayout(2, 2, 1, 1);
    assertThat(tp2.splits()).isTrue();
    assertThatThrownBy(() -> new Scenario(Fixtures.model(8), mac, Fixtures.CATALOG.quant("Q4_K_M"), KvCacheType.F16,
        1, 128, Phase.DECODE, false, Optional.empty(), false, 0, tp2, EngineSettings.DEFAULTS))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("layout = a model split over several Apple M2 Max (38-core GPU)")
        .hasMessageContaining("has none (interconnect unified)")
        .hasMessageContaining("a GPU-to-GPU link of stated bandwidth (interconnect_gbs: DeviceSpec's"
            + " interconnectGBs or a catalog entry's, --interconnect-gbs or --catalog in the CLI)");
    ParallelLayout replicas = new ParallelLayout(2, 1, 1, 1);
    assertThat(replicas.splits()).isFalse();
    assertThat(new Scenario(Fixtures.model(8), mac, Fixtures.CATALOG.quant("Q4_K_M"), KvCacheType.F16, 2, 128,
        Phase.DECODE, false, Optional.empty(), false, 0, replicas, EngineSettings.DEFAULTS).parallel())
        .isEqualTo(replicas);
    // an H100's NVLink has its bandwidth: the split is a scenario
    assertThat(new Scenario(Fixtures.model(8), Fixtures.CATALOG.device("H100 SXM5 80GB"),
        Fixtures.CATALOG.quant("Q4_K_M"), KvCacheType.F16, 1, 128, Phase.DECODE, false, Optional.empty(), false, 0,
        tp2, EngineSettings.DEFAULTS).parallel().tp()).isEqualTo(2);
  }
}
