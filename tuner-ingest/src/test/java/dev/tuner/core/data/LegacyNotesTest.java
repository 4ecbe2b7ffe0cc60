package dev.tuner.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.scenario.ScenarioRequest;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A file of the older eleven-column layout, in which the published data arrive, is read as its migrated copy: the
 * settings and the window/depth split come from the notes, by the rules of data/scripts/migrate_measurements.py.
 */
class LegacyNotesTest {
  private static final String LEGACY = "source_id,device,backend,model,params_b,quant,batch,context,phase,"
      + "tokens_per_s,notes";

  private static ScenarioRequest read(String header, String row) {
    MeasurementCsv.Parsed p = MeasurementCsv.read(new StringReader(header + "\n" + row + "\n"), "t.csv");
    assertThat(p.rejections()).isEmpty();
    return p.measurements().get(0).scenario();
  }

  @Test
  void aLlamaBenchRowAtDepthGetsItsWindowDepthAndSettings() {
    ScenarioRequest r = read(LEGACY, "lhl_strixhalo_llmbench,RTX 4090,llama.cpp ROCm,Llama 3 8B,8.03,Q4_K_M,1,4608,"
        + "prefill,900.5,\"llama-bench pp512 @ depth 4096; build 83bc2f28 (6077); flash_attn=1; n_batch=2048; "
        + "n_ubatch=1024; type_k=q8_0; model_size 4920734720 bytes; ROCBLAS_USE_HIPBLASLT=1; test_time "
        + "2025-08-04T10:37:26Z\"");
    assertThat(r.context()).isEqualTo(512);
    assertThat(r.depth()).isEqualTo(4096);
    assertThat(r.nUbatch()).isEqualTo(1024);
    assertThat(r.flashAttn()).isTrue();
    assertThat(r.kvCacheType()).isEqualTo("q8_0");
    assertThat(r.build()).isEqualTo("b6077");
    assertThat(r.buildDate()).isEqualTo("2025-08");
    assertThat(r.blas()).isEqualTo("hipblaslt");
    assertThat(r.modelSizeBytes()).isEqualTo(4_920_734_720.0);
  }

  @Test
  void batchedBenchAndTensorRtRowsSplitTheirPromptFromTheWindow() {
    ScenarioRequest tg = read(LEGACY, "src,RTX 4090,llama.cpp CUDA,Llama 3 8B,8.03,Q4_K_M,32,160,decode,3000,"
        + "batched-bench S_TG B=32 PP=128 TG=32; aggregate");
    assertThat(tg.context()).isEqualTo(32);
    assertThat(tg.depth()).isEqualTo(128);
    ScenarioRequest pp = read(LEGACY, "src,RTX 4090,llama.cpp CUDA,Llama 3 8B,8.03,Q4_K_M,4,512,prefill,3000,"
        + "batched-bench S_PP B=4 PP=512");
    assertThat(pp.context()).isEqualTo(512);
    assertThat(pp.depth()).isZero();
    ScenarioRequest e2e = read(LEGACY, "src,H100 SXM5 80GB,TensorRT-LLM,Llama 3 8B,8.03,FP8,64,2176,decode,9000,"
        + "ISL=128 OSL=2048 TP=1");
    assertThat(e2e.context()).isEqualTo(2048);
    assertThat(e2e.depth()).isEqualTo(128);
  }

  @Test
  void theSourcesMonthDatesABuildTheNotesDoNot() {
    assertThat(read(LEGACY, "xd_llama3,RTX 4090,llama.cpp CUDA,Llama 3 8B,8.03,Q4_K_M,1,512,decode,120,"
        + "llama-bench tg512; build ~b2795-b2843 (May 2024)").buildDate()).isEqualTo("2024-05");
    assertThat(read(LEGACY, "llamacpp_disc4167,Apple M2 (10-core GPU),llama.cpp Metal,Llama 2 7B,6.74,Q4_0,1,128,"
        + "decode,20,llama-bench tg128").buildDate()).isEqualTo("2023-11");
    assertThat(read(LEGACY, "llamacpp_disc4167,Apple M3 (10-core GPU),llama.cpp Metal,Llama 2 7B,6.74,Q4_0,1,128,"
        + "decode,20,llama-bench tg128").buildDate()).isNull();
    assertThat(read(LEGACY, "someone_new,RTX 4090,llama.cpp CUDA,Llama 3 8B,8.03,Q4_K_M,1,512,decode,120,"
        + "llama-bench tg512").buildDate()).isNull();
  }

  @Test
  void whatTheNotesDoNotPinStaysUnknownAndStatedColumnsWin() {
    // two n_ubatch values, and a llama-bench length that is not the context: neither is guessed
    ScenarioRequest twice = read(LEGACY, "src,RTX 4090,llama.cpp CUDA,Llama 3 8B,8.03,Q4_K_M,1,1024,prefill,5000,"
        + "llama-bench pp512; n_ubatch=256; n_ubatch=512");
    assertThat(twice.nUbatch()).isNull();
    assertThat(twice.context()).isEqualTo(1024);
    assertThat(twice.depth()).isNull();
    // a file with the settings' columns is read as it states them, whatever its notes say
    String full = String.join(",", MeasurementCsv.HEADER);
    ScenarioRequest stated = read(full, "src,RTX 4090,llama.cpp CUDA,Llama 3 8B,8.03,Q4_K_M,1,4608,0,prefill,5000,"
        + "512,0,f16,,,,,,,,,llama-bench pp512 @ depth 4096; flash_attn=1");
    assertThat(stated.context()).isEqualTo(4608);
    assertThat(stated.depth()).isZero();
    assertThat(stated.flashAttn()).isFalse();
    assertThat(LegacyNotes.applies(List.of("model", "notes"))).isTrue();
    assertThat(LegacyNotes.applies(List.of("model", "notes", "depth"))).isFalse();
    assertThat(LegacyNotes.applies(List.of("model"))).isFalse();
  }
}
