package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A newcomer's own hardware and models, and the defaults a user expects. */
class OnboardingTest {
  @TempDir
  Path dir;

  @Test
  void aUserCatalogAddsADeviceAndAModelShownByCatalogAndUsedByPredict() throws Exception {
    Path devices = Files.writeString(dir.resolve("my-devices.csv"), """
        device,vendor,mem_bw_gbs,fp16_tflops,fp8_tflops,fp32_tflops,sm_or_cores,l2_mb,mem_gb,aliases,source_id,notes
        Lab Accelerator X1,NVIDIA,900,120,,30,80,48,32,X1|lab-x1,my lab sheet,
        """);
    Path models = Files.writeString(dir.resolve("my-models.yaml"), """
        models:
          - model: Tiny Test 1B
            params_b: 1.2
            hidden: 2048
            layers: 16
            heads: 32
            kv_heads: 8
            head_dim: 64
            vocab: 128256
            aliases: [tiny-1b]
            source_id: my notes
        """);
    Cli.Result listed = Cli.run("catalog", "devices", "--catalog", devices.toString(), "--search", "x1");
    assertThat(listed.exit()).as(listed.toString()).isZero();
    assertThat(listed.out()).contains("Lab Accelerator X1");
    assertThat(listed.err()).contains("entries of " + devices + " layered over the built-in catalog");
    Cli.Result p = Cli.run("predict", "--catalog", devices.toString(), "--catalog", models.toString(),
        "--model", "tiny-1b", "--device", "lab-x1", "--quant", "Q4_K_M", "--context", "512", "--format", "json");
    assertThat(p.exit()).as(p.toString()).isZero();
    assertThat(p.json().get("scenario").get("device").get("name").asText()).isEqualTo("Lab Accelerator X1");
    assertThat(p.json().get("scenario").get("model").get("name").asText()).isEqualTo("Tiny Test 1B");
    // built-in entries are still there
    assertThat(Cli.run("predict", "--catalog", devices.toString(), "--model", "Llama 3 8B", "--device",
        "RTX 4090", "--quant", "Q4_K_M", "--context", "512").exit()).isZero();
  }

  @Test
  void aUserCatalogIsValidatedLikeTheBuiltInOne() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.csv"), """
        model,params_b,hidden,layers,heads,kv_heads,head_dim,vocab
        Odd,7,4096,32,32,5,,32000
        """);
    Cli.Result r = Cli.run("catalog", "models", "--catalog", bad.toString());
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains(bad.toString(), "Odd", "KV heads = 5", "a divisor of the 32 attention heads");
    Path clash = Files.writeString(dir.resolve("clash.csv"), """
        device,vendor,mem_bw_gbs,fp16_tflops,sm_or_cores,l2_mb,mem_gb,aliases
        My Card,NVIDIA,500,50,40,4,16,RTX 4090
        """);
    Cli.Result c = Cli.run("catalog", "devices", "--catalog", clash.toString());
    assertThat(c.exit()).as(c.toString()).isEqualTo(2);
    assertThat(c.err()).contains("alias", "RTX 4090", "an alias no other device has");
  }

  @Test
  void searchMatchesWordsNotPartsOfWords() {
    Cli.Result m5 = Cli.run("catalog", "devices", "--search", "M5");
    assertThat(m5.out()).doesNotContain("SXM5");
    Cli.Result h100 = Cli.run("catalog", "devices", "--search", "h100");
    assertThat(h100.out()).contains("H100 SXM5 80GB", "H100 PCIe 80GB");
    assertThat(Cli.run("catalog", "devices", "--search", "sxm5").out()).contains("H100 SXM5 80GB");
    assertThat(Cli.run("catalog", "devices", "--search", "rtx4090").out()).contains("RTX 4090");
  }

  @Test
  void recommendSummarisesDroppedConfigurationsByReason() {
    Cli.Result r = Cli.run(RecommendCommandTest.LLAMA_ON_4090);
    assertThat(r.exit()).as(r.toString()).isZero();
    String dropped = r.out().substring(r.out().indexOf("Dropped ("));
    assertThat(dropped).contains("--verbose lists each", "memory");
    assertThat(dropped.lines().count()).isLessThan(8);
    Cli.Result verbose = Cli.run(PredictCommandTest.with(RecommendCommandTest.LLAMA_ON_4090, "--verbose"));
    assertThat(verbose.out().substring(verbose.out().indexOf("Dropped (")).lines().count())
        .isGreaterThan(dropped.lines().count());
    var json = Cli.run(PredictCommandTest.with(RecommendCommandTest.LLAMA_ON_4090, "--format", "json")).json();
    assertThat(json.get("dropped_by_reason").get("memory").asInt()).isEqualTo(json.get("dropped").size());
  }

  @Test
  void ingestRecognisesTheFormatFromTheContent() throws Exception {
    Path ollama = Files.writeString(dir.resolve("verbose.txt"), """
        total duration:       835.322625ms
        load duration:        452.875µs
        prompt eval count:    42 token(s)
        prompt eval duration: 593.785ms
        prompt eval rate:     70.73 tokens/s
        eval count:           10 token(s)
        eval duration:        236.44ms
        eval rate:            42.29 tokens/s
        """);
    Cli.Result r = Cli.run("ingest", ollama.toString(), "--device", "RTX 4090", "--model", "Llama 3 8B", "--quant",
        "Q4_K_M");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).contains("format ollama recognised from the content");
    assertThat(r.out()).contains("tokens_per_s").contains("42.29");
    Path junk = Files.writeString(dir.resolve("junk.txt"), "nothing to see\n");
    Cli.Result j = Cli.run("ingest", junk.toString());
    assertThat(j.exit()).isEqualTo(2);
    assertThat(j.err()).contains("no format tuner recognises", "llama-bench, vllm-serve, ollama");
  }
}
