package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog device of a vendor tuner does not know is allowed (a new vendor's device), but never silently: a misspelt
 * "Nvidiaa" loses the NVIDIA device's usual backend, so the prediction and the recommendation say so.
 */
class UnknownVendorCliTest {
  @TempDir
  Path dir;

  private static final String NOTE = "vendor Nvidiaa of MyBox6 is none tuner knows (NVIDIA, AMD, Apple, Intel): no"
      + " backend is assumed for it";

  private Path catalog(String vendor) throws Exception {
    return Files.writeString(dir.resolve(vendor + ".csv"), """
        device,vendor,mem_bw_gbs,fp16_tflops,fp32_tflops,sm_or_cores,l2_mb,mem_gb
        MyBox6,%s,900,120,30,80,48,32
        """.formatted(vendor));
  }

  @Test
  void anUnknownVendorIsSaidInThePredictionAndTheRecommendation() throws Exception {
    String file = catalog("Nvidiaa").toString();
    JsonNode p = Cli.json(new String[] {"predict", "--catalog", file, "--model", "Llama 3 8B", "--device", "MyBox6",
        "--quant", "Q4_K_M", "--context", "512", "--format", "json"});
    assertThat(p.get("scenario").get("backend").asText()).isEqualTo("unknown");
    assertThat(p.get("assumptions").toString()).contains(NOTE);
    JsonNode r = Cli.json(new String[] {"recommend", "--catalog", file, "--model", "Llama 3 8B", "--device", "MyBox6",
        "--batches", "1", "--format", "json"});
    assertThat(r.get("notes").toString()).contains(NOTE);
  }

  @Test
  void aKnownVendorIsNoNoteWhateverItsCase() throws Exception {
    JsonNode p = Cli.json(new String[] {"predict", "--catalog", catalog("nvidia").toString(), "--model", "Llama 3 8B",
        "--device", "MyBox6", "--quant", "Q4_K_M", "--context", "512", "--format", "json"});
    assertThat(p.get("scenario").get("backend").asText()).isEqualTo("cuda");
    assertThat(p.get("assumptions").toString()).doesNotContain("none tuner knows");
  }
}
