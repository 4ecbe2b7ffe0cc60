package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the command prints for people: computed figures rounded (JSON keeps them whole), no sentence said twice. */
class PrintedFiguresCliTest {
  @TempDir
  Path dir;

  @Test
  void anEmptyRecommendationSaysWhyOnce() {
    Cli.Result r = Cli.run("recommend", "--model", "Llama 3 8B", "--device", "RTX 4090", "--max-ms-per-token", "1");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("No configuration qualifies: of 90, 31 do not fit in memory, 59 exceed the latency"
        + " budget of 1 ms").doesNotContain("qualifies: no configuration qualifies");
  }

  /** Qwen3-30B-A3B at batch 4 touches 128 × (1 − (1 − 8/128)^4) = 29.123046875 experts per layer. */
  @Test
  void theExpertsTouchedAreRoundedAndTheTokensAreTheExponent() {
    Cli.Result r = Cli.run("predict", "--model", "Qwen3-30B-A3B", "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--batch", "4", "--context", "128", "--explain");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("29.123 of 128 routed experts touched per MoE layer by 4 tokens = 128 × (1 − (1 −"
        + " 8/128)^4), uniform routing assumed").doesNotContain("29.123046875");
  }

  @Test
  void aComputedParameterCountIsRoundedInTextAndWholeInJson() throws Exception {
    Path config = Files.writeString(dir.resolve("config.json"), """
        {"_name_or_path": "my-org/Llama-3-8B-finetune", "model_type": "llama", "hidden_size": 4096,
         "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
         "vocab_size": 128256, "tie_word_embeddings": false}""");
    String[] predict = {"predict", "--hf-config", config.toString(), "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--context", "512"};
    Cli.Result table = Cli.run(predict);
    assertThat(table.out()).contains("my-org/Llama-3-8B-finetune: 8.03026 B params").doesNotContain("8.030261248");
    assertThat(Cli.json(predict, "--format", "json").get("scenario").get("model").get("params_b").asDouble())
        .isEqualTo(8.030261248);
  }

  @Test
  void catalogFiguresPrintAsWritten() {
    assertThat(Text.plain(4.8944)).isEqualTo("4.8944");
    assertThat(Text.plain(330.3)).isEqualTo("330.3");
    assertThat(Text.plain(1026.41)).isEqualTo("1026.41");
    assertThat(Text.plain(16.000530473401604)).isEqualTo("16.0005");
  }
}
