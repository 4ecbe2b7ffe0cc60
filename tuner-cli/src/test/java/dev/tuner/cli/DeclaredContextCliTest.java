package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step or a serving workload longer than the context its model declares (models.csv {@code max_context}) is
 * predicted, and says so; the note is not an assumed figure, so it moves neither the prediction nor its interval.
 */
class DeclaredContextCliTest {
  private static final String BEYOND = "tokens per sequence exceed the 4096-token context";

  private static String assumptions(Cli.Result r) {
    assertThat(r.exit()).as(r.toString()).isZero();
    return r.json().get("assumptions").toString();
  }

  @Test
  void aDecodeBeyondTheContextSaysSoAndPredictsAsWithoutTheFigure(@TempDir Path dir) throws IOException {
    // Llama 2 7B's figures twice: with the context its config declares, and without any
    Path catalog = dir.resolve("models.csv");
    String figures = "6.74,4096,32,32,32,128,32000,false,11008";
    Files.writeString(catalog, "model,params_b,hidden,layers,heads,kv_heads,head_dim,vocab,tied_embeddings,ffn_dim,"
        + "max_context\nDeclared,"
        + figures + ",4096\nUndeclared," + figures + ",\n");
    String[] common = {"predict", "--catalog", catalog.toString(), "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--context", "8192", "--format", "json"};
    Cli.Result declared = Cli.run(common, "--model", "Declared");
    Cli.Result undeclared = Cli.run(common, "--model", "Undeclared");
    assertThat(assumptions(declared)).contains("8192 " + BEYOND + " Declared declares");
    assertThat(assumptions(undeclared)).doesNotContain(BEYOND);
    JsonNode a = declared.json();
    JsonNode b = undeclared.json();
    for (String key : new String[] {"tokens_per_s", "confidence", "interval"}) {
      assertThat(a.get(key)).as(key).isEqualTo(b.get(key));
    }
    assertThat(assumptions(Cli.run("predict", "--catalog", catalog.toString(), "--model", "Declared", "--device",
        "RTX 4090", "--quant", "Q4_K_M", "--context", "4096", "--format", "json"))).doesNotContain(BEYOND);
  }

  @Test
  void aServingRequestLongerThanTheContextSaysSo() {
    String[] vllm = {"predict", "--model", "Llama 2 7B", "--device", "A100 SXM4 80GB", "--quant", "F16", "--engine",
        "vllm", "--isl", "4000", "--concurrency", "4", "--format", "json"};
    // 4000 prompt + 200 output tokens: 4200 in the longest sequence, beyond Llama 2's 4096; 4000 + 96 fit exactly
    assertThat(assumptions(Cli.run(vllm, "--osl", "200"))).contains("4200 " + BEYOND);
    assertThat(assumptions(Cli.run(vllm, "--osl", "96"))).doesNotContain(BEYOND);
    JsonNode listed = Cli.run("catalog", "models", "--search", "Llama 2 7B", "--format", "json").json();
    assertThat(listed.findParents("name")).filteredOn(m -> m.get("name").asText().equals("Llama 2 7B"))
        .singleElement().satisfies(m -> assertThat(m.get("max_context").asInt()).isEqualTo(4096));
  }

  @Test
  void aRecommendationForAContextBeyondItSaysSoOnce() {
    Cli.Result step = Cli.run("recommend", "--model", "Llama 2 7B", "--device", "RTX 4090", "--context", "8192",
        "--format", "json");
    assertThat(step.exit()).as(step.toString()).isZero();
    assertThat(step.json().get("notes").toString()).contains("8192 " + BEYOND);
    Cli.Result serving = Cli.run("recommend", "--model", "Llama 2 7B", "--device", "A100 SXM4 80GB", "--engines",
        "vllm", "--isl", "4000", "--osl", "500", "--gpus", "1", "--concurrencies", "1,8");
    assertThat(serving.exit()).as(serving.toString()).isZero();
    assertThat(serving.out().lines().filter(l -> l.contains(BEYOND))).singleElement().asString()
        .startsWith("  note: 4500 " + BEYOND);
    assertThat(Cli.run("recommend", "--model", "Llama 2 7B", "--device", "A100 SXM4 80GB", "--engines", "vllm",
        "--isl", "3000", "--osl", "500", "--gpus", "1", "--concurrencies", "1", "--format", "json").json()
        .get("notes").toString()).doesNotContain(BEYOND);
  }

  @Test
  void aRopeScaledContextIsGivenWithMaxContextAndOtherFiguresKeepTheDeclaredOne() {
    String[] qwen = {"predict", "--model", "Qwen3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M", "--context",
        "65536", "--format", "json"};
    // Qwen3 8B declares 40 960; its card documents 131 072 with YaRN, which the user states
    assertThat(assumptions(Cli.run(qwen))).contains("65536 tokens per sequence exceed the 40960-token context");
    assertThat(assumptions(Cli.run(qwen, "--max-context", "131072"))).doesNotContain("token context");
    assertThat(assumptions(Cli.run(qwen, "--ffn-dim", "12288"))).contains("exceed the 40960-token context");
    Cli.Result zero = Cli.run(qwen, "--max-context", "0");
    assertThat(zero.exit()).isNotZero();
    assertThat(zero.err()).contains("maximum context = 0").contains("[1, 100000000] tokens");
  }

  @Test
  void vllmWhoseCacheCannotHoldOneRequestOfTheDeclaredContextSaysItWouldNotStart() {
    // Llama 3.1 8B in BF16 on 24 GB: 16 GB of weights leave the cache tens of thousands of tokens, not 131 072
    String[] small = {"predict", "--model", "Llama 3.1 8B", "--device", "RTX 4090", "--quant", "BF16", "--engine",
        "vllm", "--isl", "1000", "--osl", "200", "--concurrency", "8", "--format", "json"};
    Cli.Result refused = Cli.run(small);
    assertThat(assumptions(refused)).contains("max_model_len tokens, by default the 131072-token context")
        .contains("refuses to start");
    assertThat(refused.json().get("refused_at_start").asText()).contains("refuses to start");
    Cli.Result set = Cli.run(small, "--max-context", "32768");
    assertThat(assumptions(set)).doesNotContain("max_model_len");
    assertThat(set.json().has("refused_at_start")).isFalse();
    String[] large = small.clone();
    large[4] = "H100 SXM5 80GB";
    assertThat(assumptions(Cli.run(large))).doesNotContain("max_model_len");
    String[] sglang = small.clone();
    sglang[8] = "sglang";
    assertThat(assumptions(Cli.run(sglang))).doesNotContain("max_model_len");
  }

  @Test
  void aRecommendationWhoseBestVllmCandidateWouldNotStartSaysSo() {
    String[] bf16 = {"recommend", "--model", "Llama 3.1 8B", "--device", "RTX 4090", "--engines", "vllm", "--quants",
        "BF16", "--isl", "1000", "--osl", "200", "--gpus", "1", "--concurrencies", "1,8", "--format", "json"};
    Cli.Result r = Cli.run(bf16);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().get("notes").toString()).contains("the best candidate: vLLM starts only if its KV cache holds"
        + " one request of max_model_len tokens, by default the 131072-token context");
    // stating the context the deployment runs at leaves nothing to say
    assertThat(Cli.run(bf16, "--max-context", "16384").json().get("notes")).isEmpty();
  }
}
