package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --serving} scores llama.cpp rows as {@code predict} predicts them: from the step model, the serving
 * terms having learned none for llama.cpp. Rows whose TPOT and TTFT are the step model's own decode and prefill score
 * (almost) no error; the serving engines' pooled terms would miss them by a third and more.
 */
class LlamaCppServingEvaluateTest {
  @TempDir
  Path dir;

  private static final String[] STEP = {"predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant",
      "Q4_K_M", "--format", "json"};

  private static double stepTokensPerS(String... args) {
    Cli.Result r = Cli.run(STEP, args);
    assertThat(r.exit()).as(r.toString()).isZero();
    return r.json().get("tokens_per_s").asDouble();
  }

  @Test
  void llamaCppRowsAreScoredAgainstTheStepModelsPrediction() throws Exception {
    double tpot = 1000 / stepTokensPerS("--context", "128", "--depth", "512");
    double ttft = 512_000 / stepTokensPerS("--context", "512", "--phase", "prefill");
    String header = "source_id,engine,engine_version,device,num_devices,tp,pp,ep,model,weight_dtype,kv_dtype,isl,osl,"
        + "dataset,concurrency,request_rate,num_prompts,batch,req_per_s,output_tps,total_tps,ttft_mean_ms,"
        + "ttft_median_ms,tpot_mean_ms,tpot_median_ms,itl_mean_ms,prefill_tps,decode_tps,notes";
    String llama = String.format(Locale.ROOT, "mine,llama.cpp,,RTX 4090,1,1,1,,Llama 3 8B,Q4_K_M,,512,128,"
        + "random fixed-length,1,,,,,,,%.6f,,%.6f,,,,,one client", ttft, tpot);
    // a row of another engine, which the serving terms predict
    String vllm = "mine,vLLM,0.8.4,H100 SXM5 80GB,1,1,1,,Llama 3.1 8B,BF16,,1000,200,random fixed-length,16,,,,,"
        + "1400,,,,,,,,,closed loop";
    Path csv = Files.writeString(dir.resolve("mine.csv"), String.join("\n", header, llama, llama, vllm) + "\n");
    Cli.Result r = Cli.run("evaluate", "--serving", "--data", csv.toString(), "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode engine = r.json().get("by_engine").get("llama.cpp");
    assertThat(engine.get("tpot_ms").get("n").asInt()).isEqualTo(2);
    assertThat(engine.get("tpot_ms").get("median_ape").asDouble()).isLessThan(0.01);
    assertThat(engine.get("ttft_ms").get("median_ape").asDouble()).isLessThan(0.02);
    assertThat(engine.get("tpot_ms").get("coverage").asDouble()).isEqualTo(1.0);
  }
}
