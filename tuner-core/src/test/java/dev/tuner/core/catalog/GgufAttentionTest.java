package dev.tuner.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The attention layout and experts a GGUF header states (key names: gguf-py/gguf/constants.py; the sliding-window
 * periods llama.cpp fixes per architecture: src/llama-model.cpp), and their agreement with what HfConfig maps from the
 * same model's config.json. Tensor tables hold one large tensor so that the parameter count is plausible for the
 * shape; the reader never needs the weights.
 */
class GgufAttentionTest {
  private static ModelSpec model(Gguf header) throws Exception {
    return GgufHeader.read(new ByteArrayInputStream(header.bytes()), "x.gguf").model("x", "x.gguf");
  }

  private static ModelSpec hf(String json) throws Exception {
    return HfConfig.of(new ObjectMapper().readTree(json), "config.json");
  }

  /** Gemma 3 4B as llama.cpp's converter writes it: a window of 1024, no pattern key (llama.cpp fixes 6). */
  private static Gguf gemma3() {
    return new Gguf().string("general.architecture", "gemma3")
        .u32("gemma3.embedding_length", 2560).u32("gemma3.block_count", 34)
        .u32("gemma3.attention.head_count", 8).u32("gemma3.attention.head_count_kv", 4)
        .u32("gemma3.attention.key_length", 256).u32("gemma3.feed_forward_length", 10240)
        .u32("gemma3.attention.sliding_window", 1024).u32("gemma3.vocab_size", 262208)
        .tensor("token_embd.weight", 1, 2560, 262208);
  }

  @Test
  void gemma3SlidesOnFiveOfEverySixLayers() throws Exception {
    ModelSpec m = model(gemma3());
    // layer i slides when i mod 6 < 5: 34 - floor(34 / 6) = 34 - 5 = 29 local layers, 5 global (5, 11, 17, 23, 29)
    assertThat(m.attention()).isEqualTo(new AttentionSpec(AttentionKind.GQA, 0, 0, 1024, 29, 0, 0));
    assertThat(m.headDim()).isEqualTo(256);
  }

  @Test
  void gemma3AgreesWithItsConfigJson() throws Exception {
    ModelSpec fromHf = hf("""
        {"model_type": "gemma3", "text_config": {"model_type": "gemma3_text", "hidden_size": 2560,
         "num_hidden_layers": 34, "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256,
         "intermediate_size": 10240, "vocab_size": 262208, "sliding_window": 1024, "sliding_window_pattern": 6}}""");
    ModelSpec fromGguf = model(gemma3());
    assertThat(fromGguf.attention()).isEqualTo(fromHf.attention());
    assertThat(Arrays.asList(fromGguf.kvHeads(), fromGguf.headDim(), fromGguf.ffnDim()))
        .isEqualTo(Arrays.asList(fromHf.kvHeads(), fromHf.headDim(), fromHf.ffnDim()));
  }

  @Test
  void gemma2WithoutAWindowKeyUsesLlamaCppsDefaultOnEveryOtherLayer() throws Exception {
    ModelSpec m = model(new Gguf().string("general.architecture", "gemma2")
        .u32("gemma2.embedding_length", 3584).u32("gemma2.block_count", 42)
        .u32("gemma2.attention.head_count", 16).u32("gemma2.attention.head_count_kv", 8)
        .u32("gemma2.attention.key_length", 256).tensor("token_embd.weight", 1, 3584, 256000)
        .tensor("blk.0.ffn_up.weight", 1, 3584, 14336, 42));
    // window 4096 (llama.cpp's Gemma 2 default); period 2: 42 - 42 / 2 = 21 local layers
    assertThat(m.attention()).isEqualTo(new AttentionSpec(AttentionKind.GQA, 0, 0, 4096, 21, 0, 0));
  }

  @Test
  void aPatternKeyCountsItsFlagsOrAppliesItsPeriod() throws Exception {
    boolean[] flags = {true, true, false, true, true, false};
    ModelSpec flagged = model(new Gguf().string("general.architecture", "gemma4")
        .u32("gemma4.embedding_length", 1024).u32("gemma4.block_count", 6)
        .u32("gemma4.attention.head_count", 8).u32("gemma4.attention.head_count_kv", 2)
        .u32("gemma4.attention.sliding_window", 512).bools("gemma4.attention.sliding_window_pattern", flags)
        .tensor("token_embd.weight", 1, 1024, 100000));
    // four true flags: four local layers
    assertThat(flagged.attention()).isEqualTo(new AttentionSpec(AttentionKind.GQA, 0, 0, 512, 4, 0, 0));
    ModelSpec period = model(new Gguf().string("general.architecture", "afmoe")
        .u32("afmoe.embedding_length", 1024).u32("afmoe.block_count", 10)
        .u32("afmoe.attention.head_count", 8).u32("afmoe.attention.head_count_kv", 8)
        .u32("afmoe.attention.sliding_window", 2048).u32("afmoe.attention.sliding_window_pattern", 4)
        .tensor("token_embd.weight", 1, 1024, 100000));
    // period 4: 10 - floor(10 / 4) = 8 local layers; 8 KV heads of 8 heads: MHA
    assertThat(period.attention()).isEqualTo(new AttentionSpec(AttentionKind.MHA, 0, 0, 2048, 8, 0, 0));
  }

  @Test
  void aPatternWithTheWrongNumberOfFlagsIsRefused() {
    assertThatThrownBy(() -> model(new Gguf().string("general.architecture", "gemma4")
        .u32("gemma4.embedding_length", 1024).u32("gemma4.block_count", 6)
        .u32("gemma4.attention.head_count", 8).u32("gemma4.attention.sliding_window", 512)
        .bools("gemma4.attention.sliding_window_pattern", true, false).tensor("token_embd.weight", 1, 1024, 100000)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("2 flags")
        .hasMessageContaining("one flag per layer (6)");
  }

  /** llama.cpp runs a Llama-architecture file with full attention whatever window it states. */
  @Test
  void aWindowWithoutAPatternLlamaCppAppliesMapsToFullAttention() throws Exception {
    ModelSpec m = model(new Gguf().string("general.architecture", "llama")
        .u32("llama.embedding_length", 4096).u32("llama.block_count", 32)
        .u32("llama.attention.head_count", 32).u32("llama.attention.head_count_kv", 8)
        .u32("llama.attention.sliding_window", 4096).tensor("token_embd.weight", 1, 4096, 300000));
    assertThat(m.attention()).isEqualTo(AttentionSpec.STANDARD);
  }

  /** DeepSeek-V3 as newer converters write it: 1 KV head, key_length 576 = the latent 512 + RoPE key 64. */
  private static Gguf deepseekV3() {
    return new Gguf().string("general.architecture", "deepseek2")
        .u32("deepseek2.embedding_length", 7168).u32("deepseek2.block_count", 61)
        .u32("deepseek2.attention.head_count", 128).u32("deepseek2.attention.head_count_kv", 1)
        .u32("deepseek2.attention.key_length", 576).u32("deepseek2.attention.value_length", 512)
        .u32("deepseek2.attention.key_length_mla", 192).u32("deepseek2.attention.value_length_mla", 128)
        .u32("deepseek2.attention.q_lora_rank", 1536).u32("deepseek2.attention.kv_lora_rank", 512)
        .u32("deepseek2.rope.dimension_count", 64).u32("deepseek2.feed_forward_length", 18432)
        .u32("deepseek2.expert_count", 256).u32("deepseek2.expert_used_count", 8)
        .u32("deepseek2.expert_shared_count", 1).u32("deepseek2.expert_feed_forward_length", 2048)
        .u32("deepseek2.leading_dense_block_count", 3).u32("deepseek2.vocab_size", 129280)
        .tensor("token_embd.weight", 1, 7168, 129280).tensor("blk.3.ffn_up_exps.weight", 1, 7168, 2048, 256 * 61);
  }

  @Test
  void deepseekV3IsMlaWithItsLatentRopeKeyAndExperts() throws Exception {
    ModelSpec m = model(deepseekV3());
    assertThat(m.attention()).isEqualTo(new AttentionSpec(AttentionKind.MLA, 512, 64, 0, 0, 0, 0));
    // 128 heads of 192 (128 without RoPE + 64 with), not the one latent "head" of 576 the file lists for llama.cpp
    assertThat(Arrays.asList(m.heads(), m.kvHeads(), m.headDim(), m.ffnDim()))
        .containsExactly(128, 128, 192, 18432);
    assertThat(m.moe()).isEqualTo(new MoeSpec(256, 8, 1, 2048, 3));
  }

  @Test
  void deepseekV3AgreesWithItsConfigJson() throws Exception {
    ModelSpec fromHf = hf("""
        {"model_type": "deepseek_v3", "hidden_size": 7168, "num_hidden_layers": 61, "num_attention_heads": 128,
         "num_key_value_heads": 128, "vocab_size": 129280, "intermediate_size": 18432, "q_lora_rank": 1536,
         "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
         "n_routed_experts": 256, "num_experts_per_tok": 8, "n_shared_experts": 1, "moe_intermediate_size": 2048,
         "first_k_dense_replace": 3}""");
    ModelSpec fromGguf = model(deepseekV3());
    assertThat(fromGguf.attention()).isEqualTo(fromHf.attention());
    assertThat(fromGguf.moe()).isEqualTo(fromHf.moe());
    assertThat(Arrays.asList(fromGguf.kvHeads(), fromGguf.headDim(), fromGguf.ffnDim()))
        .isEqualTo(Arrays.asList(fromHf.kvHeads(), fromHf.headDim(), fromHf.ffnDim()));
  }

  /** Mixtral's file (llama architecture) has no expert_feed_forward_length: its one FFN size is the experts'. */
  @Test
  void mixtralsExpertsTakeTheFeedForwardLengthAsHfConfigDoes() throws Exception {
    ModelSpec fromGguf = model(new Gguf().string("general.architecture", "llama")
        .u32("llama.embedding_length", 4096).u32("llama.block_count", 32)
        .u32("llama.attention.head_count", 32).u32("llama.attention.head_count_kv", 8)
        .u32("llama.feed_forward_length", 14336).u32("llama.expert_count", 8).u32("llama.expert_used_count", 2)
        .u32("llama.vocab_size", 32000).tensor("blk.0.ffn_up_exps.weight", 1, 4096, 14336, 8 * 32 * 3));
    ModelSpec fromHf = hf("""
        {"model_type": "mixtral", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
         "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 32000, "num_local_experts": 8,
         "num_experts_per_tok": 2, "sliding_window": null}""");
    assertThat(fromGguf.moe()).isEqualTo(new MoeSpec(8, 2, 0, 14336, 0)).isEqualTo(fromHf.moe());
    assertThat(fromGguf.ffnDim()).isZero().isEqualTo(fromHf.ffnDim());
    assertThat(fromGguf.attention()).isEqualTo(fromHf.attention());
  }

  /** Qwen2-MoE states its shared expert's size (5632 = 4 x 1408), not a count; both readers make 4 shared experts. */
  @Test
  void qwen2MoesSharedExpertSizeBecomesACountAsHfConfigMakesIt() throws Exception {
    ModelSpec fromGguf = model(new Gguf().string("general.architecture", "qwen2moe")
        .u32("qwen2moe.embedding_length", 2048).u32("qwen2moe.block_count", 24)
        .u32("qwen2moe.attention.head_count", 16).u32("qwen2moe.attention.head_count_kv", 16)
        .u32("qwen2moe.feed_forward_length", 5632).u32("qwen2moe.expert_count", 60)
        .u32("qwen2moe.expert_used_count", 4).u32("qwen2moe.expert_feed_forward_length", 1408)
        .u32("qwen2moe.expert_shared_feed_forward_length", 5632).u32("qwen2moe.vocab_size", 151936)
        .tensor("blk.0.ffn_up_exps.weight", 1, 2048, 1408, 60 * 24 * 3));
    ModelSpec fromHf = hf("""
        {"model_type": "qwen2_moe", "hidden_size": 2048, "num_hidden_layers": 24, "num_attention_heads": 16,
         "num_key_value_heads": 16, "intermediate_size": 5632, "vocab_size": 151936, "num_experts": 60,
         "num_experts_per_tok": 4, "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632}""");
    assertThat(fromGguf.moe()).isEqualTo(new MoeSpec(60, 4, 4, 1408, 0)).isEqualTo(fromHf.moe());
    assertThat(fromGguf.attention().kind()).isEqualTo(AttentionKind.MHA).isEqualTo(fromHf.attention().kind());
  }
}
