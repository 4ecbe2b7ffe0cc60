package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * What a step prediction does with each KV-cache type: llama.cpp runs q8_0 and q4_0 only with flash attention (so
 * {@code --flash-attn false} with one is refused, and without {@code --flash-attn} it is taken on and said), and fp8 is
 * the serving engines' type, predicted through the roofline's bytes and said so.
 */
class KvCacheTypeCliTest {
  private static final String[] PREDICT = {"predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant",
      "Q4_K_M", "--context", "1024", "--format", "json"};

  @Test
  void aQuantizedCacheWithFlashAttentionOffIsRefusedNamingTheFlag() {
    Cli.Result r = Cli.run(PREDICT, "--kv-cache-type", "q8_0", "--flash-attn", "false");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).startsWith("tuner predict: flash attention = off with a q8_0 KV cache is invalid: expected on")
        .contains("--flash-attn in the CLI").contains("V cache quantization requires flash_attn");
  }

  @Test
  void aQuantizedCacheWithoutFlashAttnTakesItOnAndSaysSo() {
    JsonNode j = Cli.json(PREDICT, "--kv-cache-type", "q4_0");
    assertThat(j.get("scenario").get("flash_attn").asBoolean()).isTrue();
    assertThat(j.get("assumptions").toString()).contains("no flash attention given: on, the only way llama.cpp runs a"
        + " q4_0 KV cache");
    JsonNode stated = Cli.json(PREDICT, "--kv-cache-type", "q4_0", "--flash-attn");
    assertThat(stated.get("assumptions").toString()).doesNotContain("no flash attention given");
    assertThat(stated.get("tokens_per_s").asDouble()).isEqualTo(j.get("tokens_per_s").asDouble());
  }

  @Test
  void anFp8CacheSaysItIsNoLlamaCppType() {
    JsonNode j = Cli.json(PREDICT, "--kv-cache-type", "fp8");
    assertThat(j.get("scenario").get("flash_attn").asBoolean()).isFalse();
    assertThat(j.get("assumptions").toString()).contains("KV cache fp8: the serving engines' type (vLLM, SGLang,"
        + " TensorRT-LLM), which llama.cpp has not");
  }

  @Test
  void recommendSearchesQuantizedCachesOnlyWithFlashAttention() {
    String[] recommend = {"recommend", "--model", "Llama 3 8B", "--device", "RTX 4090", "--context", "4096",
        "--batches", "1,32"};
    Cli.Result unstated = Cli.run(recommend);
    assertThat(unstated.exit()).as(unstated.toString()).isZero();
    assertThat(unstated.out()).contains("note: q8_0 KV caches are searched with flash attention on");
    JsonNode off = Cli.json(recommend, "--flash-attn", "false", "--format", "json");
    assertThat(off.get("notes").toString()).contains("q8_0 KV caches not searched: flash attention is off");
    assertThat(off.get("top")).isNotEmpty().allMatch(c -> c.get("kv_cache_type").asText().equals("f16"));
    Cli.Result refused = Cli.run(recommend, "--kv-cache-types", "q8_0", "--flash-attn", "false");
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("KV-cache types = q8_0 with flash attention off is invalid");
  }
}
