package dev.tuner.core.scenario;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.data.Measurement;
import dev.tuner.core.data.MeasurementCsv;
import java.io.StringReader;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CSV contract's new fields: read, defaulted as stated, and refused with the field named when wrong. */
class ContractFieldsTest {
  private static final String HEADER = String.join(",", MeasurementCsv.HEADER);

  private static Measurement row(String line) {
    MeasurementCsv.Parsed p = MeasurementCsv.read(new StringReader(HEADER + "\n" + line + "\n"), "m.csv");
    assertThat(p.rejections()).isEmpty();
    return p.measurements().get(0);
  }

  @Test
  void everyContractColumnReachesTheScenario() {
    // hipBLASLt is a ROCm library, ROCm an AMD backend
    Measurement m = row("src,AMD Radeon RX 6800 XT,llama.cpp ROCm,Llama 3 8B,,Q4_K_M,1,512,4096,prefill,3000,256,1,q8_0,"
        + "b4000,2025-08,hipblaslt,4920734720,4,2,2,1,pp512 @ d4096");
    Scenario s = m.scenario().resolve(CATALOG);
    assertThat(s.depth()).isEqualTo(4096);
    assertThat(s.totalContext()).isEqualTo(4608);
    assertThat(s.kvCache()).isEqualTo(KvCacheType.Q8_0);
    assertThat(s.parallel()).isEqualTo(new ParallelLayout(4, 2, 2, 1));
    assertThat(s.engine()).isEqualTo(new EngineSettings(256, true, Backend.ROCM, "b4000",
        Optional.of(java.time.YearMonth.of(2025, 8)), BlasLibrary.HIPBLASLT));
    // 4 920 734 720 bytes × 8 / 8.03e9 parameters = 4.902 bits per weight, the file's average
    assertThat(s.quant().bitsPerWeight()).isCloseTo(4.9023, within(1e-3));
    assertThat(s.quant().name()).isEqualTo("Q4_K_M");
  }

  @Test
  void blankColumnsTakeTheStatedDefaults() {
    Scenario s = row("src,RTX 4090,,Llama 3 8B,,Q4_K_M,1,512,,decode,120,,,,,,,,,,").scenario().resolve(CATALOG);
    assertThat(s.depth()).isZero();
    assertThat(s.parallel()).isEqualTo(ParallelLayout.SINGLE);
    // llama-bench's defaults, on the backend llama.cpp usually runs on an NVIDIA device (Backend.usualOn), assumed
    assertThat(s.engine()).isEqualTo(EngineSettings.DEFAULTS.withUsualBackend(s.device()));
    assertThat(s.engine().backend()).isEqualTo(Backend.CUDA);
    assertThat(s.engine().nUbatch()).isEqualTo(512);
    assertThat(s.kvCache()).isEqualTo(KvCacheType.F16);
    assertThat(s.quant()).isEqualTo(CATALOG.quant("Q4_K_M"));
  }

  @Test
  void aFileOfTheOldFormatStillLoads() {
    String old = "source_id,device,backend,model,params_b,quant,batch,context,phase,tokens_per_s,notes,kv_cache_type\n"
        + "x,RTX 4090,llama.cpp CUDA,Llama 3 8B,8.03,Q4_0,1,128,decode,150,,q4_0\n";
    MeasurementCsv.Parsed p = MeasurementCsv.read(new StringReader(old), "old.csv");
    assertThat(p.rejections()).isEmpty();
    Scenario s = p.measurements().get(0).scenario().resolve(CATALOG);
    assertThat(s.kvCache()).isEqualTo(KvCacheType.Q4_0);
    assertThat(s.engine().backend()).isEqualTo(Backend.CUDA);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "src,RTX 4090,,Llama 3 8B,,Q4_K_M,1,512,-1,decode,120,,,,,,,,,,,,|depth = -1",
      "src,RTX 4090,,Llama 3 8B,,Q4_K_M,1,512,,decode,120,0,,,,,,,,,,,|n_ubatch = 0",
      "src,RTX 4090,,Llama 3 8B,,Q4_K_M,1,512,,decode,120,,2,,,,,,,,,,|flash_attn = \"2\"",
      "src,RTX 4090,,Llama 3 8B,,Q4_K_M,1,512,,decode,120,,,,,,,,3,2,1,1,|devices = 3 is invalid: expected a multiple"
          + " of tp × pp = 2",
      "src,RTX 4090,,Llama 3 8B,,Q4_K_M,1,512,,decode,120,,,,,,,,2,2,2,1,|tp × pp = 2 × 2 = 4 is invalid: expected at"
          + " most the devices (2)",
      "src,RTX 4090,,Llama 3 8B,,Q4_K_M,1,512,,decode,120,,,,,,,,2,1,1,4,|ep = 4 is invalid: expected at most the"
          + " devices (2)",
      "src,RTX 4090,,Llama 3 8B,,Q4_K_M,1,512,,decode,120,,,,,,,100,,,,,|model_size_bytes = 100 is invalid",
      "src,RTX 4090,,Llama 3 8B,,Q4_K_M,1,512,,decode,120,,,q3,,,,,,,,,|kv-cache type = q3"})
  void aBadValueIsNamedWithWhatIsAllowed(String line, String message) {
    assertThatThrownBy(() -> {
      MeasurementCsv.Parsed p = MeasurementCsv.read(new StringReader(HEADER + "\n" + line + "\n"), "m.csv");
      if (!p.rejections().isEmpty()) {
        throw new InvalidInputException("row", p.rejections().get(0).reason(), "");
      }
      p.measurements().get(0).scenario().resolve(CATALOG);
    }).isInstanceOf(InvalidInputException.class).hasMessageContaining(message);
  }

  @Test
  void depthAndWindowTogetherStayWithinTheLargestContext() {
    Scenario s = dev.tuner.core.Fixtures.scenario(CATALOG.model("Llama 3 8B"), CATALOG.device("RTX 4090"),
        CATALOG.quant("Q4_0"), 1, 1 << 19, Phase.PREFILL);
    assertThat(s.withDepth(1 << 19).totalContext()).isEqualTo(Scenario.MAX_CONTEXT);
    assertThatThrownBy(() -> s.withDepth((1 << 19) + 1)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("depth = 524289");
  }

  @ParameterizedTest
  @CsvSource({"llama.cpp CUDA,CUDA", "llama.cpp Metal,METAL", "llama.cpp ROCm,ROCM", "llama.cpp HIP,ROCM",
      "llama.cpp Vulkan,VULKAN", "llama.cpp SYCL,SYCL", "llama.cpp CPU,CPU", "TensorRT-LLM,CUDA",
      "MLC LLM (CUDA),CUDA", "llama.cpp,UNKNOWN", "vLLM,UNKNOWN"})
  void theBackendIsReadFromItsText(String text, Backend expected) {
    assertThat(Backend.parse(text)).isEqualTo(expected);
  }

  @Test
  void unstatedDevicesFollowTheParallelSizes() {
    ScenarioRequest r = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_0", 1, 128, "decode");
    ScenarioRequest tp4 = new ScenarioRequest(r.model(), r.device(), r.quant(), 1, 128, "decode", null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, 4, 2, null,
        null, null, null, null, null);
    assertThat(tp4.layout()).isEqualTo(new ParallelLayout(8, 4, 2, 1));
    ScenarioRequest ep8 = new ScenarioRequest(r.model(), r.device(), r.quant(), 1, 128, "decode", null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, 8,
        null, null, null, null, null);
    assertThat(ep8.layout()).isEqualTo(new ParallelLayout(8, 1, 1, 8));
  }

  @Test
  void modelRecordsCheckTheirNewFields() {
    assertThatThrownBy(() -> new MoeSpec(128, 0, 0, 768, 0)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("model experts per token");
    assertThatThrownBy(() -> new MoeSpec(8, 9, 0, 768, 0)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("model experts per token = 9");
    assertThatThrownBy(() -> new AttentionSpec(AttentionKind.MLA, 0, 64, 0, 0, 0, 0))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("model kv_lora_rank = 0");
    assertThatThrownBy(() -> new AttentionSpec(AttentionKind.GQA, 0, 0, 0, 5, 0, 0))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("model sliding_window");
    assertThatThrownBy(() -> new ModelSpec("m", 30, 2048, 48, 32, 4, 128, 151936, List.of(), "", null,
        OptionalDouble.of(31), Optional.empty(), 0, MoeSpec.NONE, AttentionSpec.STANDARD))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("model active parameters = 31");
    ModelSpec dense = new ModelSpec("Dense 7B", 7, 4096, 32, 32, 8, 128, 32000, List.of(), "");
    assertThat(dense.architecture()).isEqualTo("Dense 7B");
    assertThat(dense.activeParams()).hasValue(7);
    ModelSpec moe = new ModelSpec("moe", 30, 2048, 48, 32, 4, 128, 151936, List.of(), "", "qwen3-moe",
        OptionalDouble.empty(), Optional.of(false), 6144, new MoeSpec(128, 8, 0, 768, 0), AttentionSpec.STANDARD);
    assertThat(moe.activeParams()).isEmpty();
  }

  @Test
  void theCatalogReadsTheNewDeviceAndModelColumns() {
    String devices = "device,vendor,chip_family,mem_bw_gbs,fp16_tflops,fp8_tflops,fp4_tflops,int8_tops,fp32_tflops,"
        + "sm_or_cores,l2_mb,mem_gb,interconnect,interconnect_gbs,aliases,source_id,notes\n"
        + "X100,NVIDIA,GX100,3350,989,1979,,1979,67,132,50,80,NVLink4,450,,src,\n"
        + "Y1,NVIDIA,,900,100,,,,,0,,,,,,src,\n";
    List<DeviceSpec> d = dev.tuner.core.catalog.CatalogReaders.devices(new StringReader(devices), "devices.csv");
    assertThat(d.get(0).chipFamily()).isEqualTo("GX100");
    assertThat(d.get(0).int8Tops()).hasValue(1979);
    assertThat(d.get(0).fp4Tflops()).isEmpty();
    assertThat(d.get(0).interconnect()).isEqualTo("NVLink4");
    assertThat(d.get(0).interconnectGBs()).hasValue(450);
    assertThat(d.get(1).chipFamily()).isEqualTo("Y1");
    String models = "model,architecture,params_b,active_params_b,hidden,layers,heads,kv_heads,head_dim,vocab,"
        + "tied_embeddings,ffn_dim,experts,experts_per_token,shared_experts,expert_ffn_dim,dense_layers,attention,"
        + "kv_lora_rank,rope_head_dim,sliding_window,local_layers,linear_layers,linear_state_dim,aliases,source_id\n"
        + "DS,deepseek-v3,671,37,7168,61,128,128,128,129280,false,18432,256,8,1,2048,3,mla,512,64,,,,,,src\n";
    ModelSpec m = dev.tuner.core.catalog.CatalogReaders.models(new StringReader(models), "models.csv").get(0);
    assertThat(m.architecture()).isEqualTo("deepseek-v3");
    assertThat(m.activeParams()).hasValue(37);
    assertThat(m.tiedEmbeddings()).contains(false);
    assertThat(m.moe()).isEqualTo(new MoeSpec(256, 8, 1, 2048, 3));
    assertThat(m.attention()).isEqualTo(new AttentionSpec(AttentionKind.MLA, 512, 64, 0, 0, 0, 0));
    String bad = models.replace(",false,", ",maybe,");
    assertThatThrownBy(() -> dev.tuner.core.catalog.CatalogReaders.models(new StringReader(bad), "models.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("models.csv:2 tied_embeddings = \"maybe\"");
  }
}
