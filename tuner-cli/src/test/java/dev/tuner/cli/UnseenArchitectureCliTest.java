package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped model trained on no RDNA3 device (its AMD rows are GCN5, RDNA1, RDNA2 and the RDNA3.5 Strix Halo):
 * a prediction for an RX 7900 XTX says so and takes the interval calibrated on held-out devices of an architecture
 * their fold had not trained on, where an RX 6800 XT (RDNA2, as the RX 6700 XT of the training rows) and an RTX 4090
 * do not. A user's device of a chip family the table lacks, or one given by its figures alone, has no architecture,
 * and says that instead; one whose catalog row names an architecture the model trained on is not new.
 */
class UnseenArchitectureCliTest {
  private static JsonNode predict(String device, String... more) {
    String[] args = {"predict", "--model", "Llama 3 8B", "--device", device, "--quant", "Q4_K_M", "--context", "512",
        "--format", "json"};
    return Cli.json(args, more);
  }

  @Test
  void aDeviceOfAnArchitectureTheModelNeverSawSaysSo() {
    JsonNode rdna3 = predict("AMD Radeon RX 7900 XTX", "--phase", "prefill");
    assertThat(rdna3.get("assumptions").toString())
        .contains("no device of the architecture RDNA3 gfx110x (AMD Radeon RX 7900 XTX) was among the model's"
            + " training rows")
        .contains("calibrated on held-out devices whose architecture their fold had not trained on either");
    assertThat(predict("AMD Radeon RX 6800 XT", "--phase", "prefill").get("assumptions").toString())
        .doesNotContain("architecture");
    assertThat(predict("RTX 4090").get("assumptions").toString()).doesNotContain("architecture");
  }

  @Test
  void aUsersDeviceOfAnUnlistedChipFamilyHasNoArchitectureAndSaysSo(@TempDir Path dir) throws Exception {
    Path catalog = dir.resolve("mine.csv");
    Files.writeString(catalog, "device,vendor,chip_family,mem_bw_gbs,fp16_tflops,fp32_tflops,sm_or_cores,l2_mb,mem_gb,"
        + "architecture\nAcme X1,NVIDIA,X1,800,120,30,60,32,24,\nAcme X2,NVIDIA,X2,800,120,30,60,32,24,Ada sm_89\n");
    Cli.Result named = Cli.run(new String[] {"--catalog", catalog.toString(), "predict", "--model", "Llama 3 8B",
        "--device", "Acme X2", "--quant", "Q4_K_M", "--format", "json"});
    assertThat(named.exit()).as(named.toString()).isZero();
    assertThat(named.json().get("assumptions").toString()).doesNotContain("architecture");
    Cli.Result r = Cli.run(new String[] {"--catalog", catalog.toString(), "predict", "--model", "Llama 3 8B",
        "--device", "Acme X1", "--quant", "Q4_K_M", "--format", "json"});
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("assumptions").toString())
        .contains("the architecture of Acme X1 is unknown (chip family X1 is not in the chip-family table; a catalog"
            + " file's architecture column names it)");
    Cli.Result given = Cli.run("predict", "--model", "Llama 3 8B", "--mem-bw-gbs", "800", "--fp16-tflops", "100",
        "--quant", "Q4_K_M", "--format", "json");
    assertThat(given.exit()).as(given.toString()).isZero();
    assertThat(given.json().get("assumptions").toString())
        .contains("the architecture of custom device is unknown (no chip family given;");
  }

  /**
   * {@code evaluate} splits a file's rows by whether the model trained on their device's architecture: one RX 7900 XTX
   * prompt (RDNA3, new) and one RTX 4090 decode (Ada, trained on). The figures are this test's own, not measurements.
   */
  @Test
  void evaluateReportsTheRowsOfANewArchitectureApart(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("rows.csv");
    Files.writeString(data, "source_id,device,backend,model,params_b,quant,batch,context,depth,phase,tokens_per_s,"
        + "n_ubatch,flash_attn,kv_type,build,build_date,blas,model_size_bytes,num_devices,tp,pp,ep,notes\n"
        + "t,AMD Radeon RX 7900 XTX,llama.cpp ROCm,Llama 3 8B,,Q4_K_M,1,512,0,prefill,1000,,,,,,,,,,,,\n"
        + "t,RTX 4090,llama.cpp CUDA,Llama 3 8B,,Q4_K_M,1,128,0,decode,120,,,,,,,,,,,,\n");
    Cli.Result r = Cli.run("evaluate", "--data", data.toString(), "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode split = r.json().get("by_architecture");
    assertThat(split.get("new architecture").get("prefill").get("n").asInt()).isEqualTo(1);
    assertThat(split.get("new architecture").has("decode")).isFalse();
    assertThat(split.get("architecture trained on").get("decode").get("n").asInt()).isEqualTo(1);
    assertThat(Cli.run("evaluate", "--data", data.toString()).out()).contains("model, new architecture",
        "model, architecture trained on");
  }
}
