package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuner.core.io.Csv;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogCommandTest {

  @Test
  void devicesSearchShowsEveryColumnWithAliasesAndSource() {
    Cli.Result r = Cli.run("catalog", "devices", "--search", "rtx4090");
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).contains("device", "vendor", "architecture", "mem_bw_gbs", "fp16_tflops", "fp8_tflops",
        "fp32_tflops", "compute_units", "l2_mb", "mem_gb", "source", "aliases");
    assertThat(r.out()).contains("RTX 4090", "NVIDIA", "Ada sm_89", "1008", "82.6", "GeForce RTX 4090");
  }

  @Test
  void devicesAsJsonAndCsv() {
    JsonNode j = Cli.run("catalog", "devices", "--search", "H100 SXM5", "--format", "json").json();
    assertThat(j.isArray()).isTrue();
    assertThat(j).anySatisfy(d -> {
      assertThat(d.get("name").asText()).isEqualTo("H100 SXM5 80GB");
      assertThat(d.get("mem_gb").asDouble()).isEqualTo(80);
      assertThat(d.get("fp32_tflops").asDouble()).isEqualTo(66.9);
      assertThat(d.get("chip_family").asText()).isEqualTo("GH100");
      assertThat(d.get("architecture").asText()).isEqualTo("Hopper sm_90");
      assertThat(d.get("aliases").isArray()).isTrue();
      assertThat(d.has("source")).isTrue();
    });

    Cli.Result csv = Cli.run("catalog", "devices", "--format", "csv");
    List<Csv.Row> rows = Csv.read(new StringReader(csv.out()), "stdout");
    assertThat(rows.get(0).fields()).contains("device", "aliases", "source");
    assertThat(rows).anyMatch(row -> row.fields().get(0).equals("A100 SXM4 80GB"));
  }

  @Test
  void modelsAndQuants() {
    Cli.Result models = Cli.run("catalog", "models", "--search", "llama 3 8b");
    assertThat(models.exit()).isZero();
    assertThat(models.out()).contains("Llama 3 8B", "8.03", "128256", "params_b", "kv_heads");

    Cli.Result quants = Cli.run("catalog", "quants", "--format", "json");
    assertThat(quants.json()).anySatisfy(q -> {
      assertThat(q.get("name").asText()).isEqualTo("Q8_0");
      assertThat(q.get("bits_per_weight").asDouble()).isEqualTo(8.5008);
    });
    assertThat(Cli.run("catalog", "quants", "--search", "q4_k_m").out()).contains("Q4_K_M", "Q4_K");
    // a format that stores experts apart lists both parts; one that stores all alike leaves them blank
    Cli.Result moe = Cli.run("catalog", "quants", "--search", "MXFP4_MOE", "--format", "csv");
    assertThat(moe.exit()).as(moe.toString()).isZero();
    assertThat(moe.out().lines().findFirst().orElseThrow()).startsWith("quant,bits_per_weight,expert_bits,other_bits,");
    assertThat(moe.out()).contains("MXFP4_MOE,4.329,4.25,8.5,Q4_0,int8");
    assertThat(Cli.run("catalog", "quants", "--search", "Q8_0", "--format", "csv").out()).contains("Q8_0,8.5008,,,");
  }

  @Test
  void aSearchWithNoMatchSaysSoAndSuggests() {
    Cli.Result r = Cli.run("catalog", "devices", "--search", "RTX 4099 Ultra");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("nothing matches \"RTX 4099 Ultra\"", "closest:");
  }

  @Test
  void aCatalogMustBeNamed() {
    assertThat(Cli.run("catalog").exit()).isEqualTo(2);
    Cli.Result r = Cli.run("catalog", "gpus");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("tuner catalog: Unmatched argument");
  }

  @Test
  void enginesListTheDefaultsAPredictionTakesWithTheirSources() {
    JsonNode j = Cli.run("catalog", "engines", "--format", "json").json();
    assertThat(j).hasSize(7);
    assertThat(j).anySatisfy(e -> {
      assertThat(e.get("engine").asText()).isEqualTo("ollama");
      assertThat(e.get("runs").asText()).isEqualTo("llama.cpp");
      assertThat(e.get("max_batch").asInt()).isEqualTo(1);
      assertThat(e.get("source").asText()).isEqualTo("doc_ollama_num_parallel");
      assertThat(e.get("notes").asText()).contains("OLLAMA_NUM_PARALLEL");
    });
    // the same figures predict reads: vLLM's 256 sequences
    Cli.Result p = Cli.run("predict", "--model", "Llama 3.1 8B", "--device", "H100 SXM5 80GB", "--quant", "FP8",
        "--engine", "vllm", "--isl", "100", "--osl", "10", "--concurrency", "1", "--format", "json");
    JsonNode vllm = java.util.stream.StreamSupport.stream(j.spliterator(), false)
        .filter(e -> e.get("engine").asText().equals("vllm")).findFirst().orElseThrow();
    assertThat(p.json().get("scenario").get("max_batch").asInt()).isEqualTo(vllm.get("max_batch").asInt())
        .isEqualTo(256);
    Cli.Result table = Cli.run("catalog", "engines");
    assertThat(table.out().lines().findFirst().orElseThrow()).contains("engine", "runs", "max_batch",
        "tokens_per_step", "chunked_prefill", "source");
    assertThat(table.out()).contains("sglang", "memory", "doc_sglang_server_args");
    List<Csv.Row> rows = Csv.read(new StringReader(Cli.run("catalog", "engines", "--format", "csv").out()),
        "stdout");
    assertThat(rows).hasSize(8);
  }
}
