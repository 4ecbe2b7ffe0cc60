package dev.tuner.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuner.api.InvalidInputException;
import dev.tuner.core.Fixtures;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;

/** Models from a Hugging Face config.json and from a GGUF header. */
class ModelFilesTest {
  private static ModelSpec hf(String json) throws Exception {
    return HfConfig.of(new ObjectMapper().readTree(json), "config.json");
  }

  @Test
  void llama3ParametersAreTheShapesSum() throws Exception {
    ModelSpec m = hf("""
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
         "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
         "vocab_size": 128256, "tie_word_embeddings": false}""");
    // per layer: Q and O 2 x 4096 x 4096 = 33 554 432, K and V 2 x 4096 x 1024 = 8 388 608, gated FFN
    // 3 x 4096 x 14336 = 176 160 768, two norms 8 192: 218 112 000; x 32 = 6 979 584 000; embedding and LM head
    // 2 x 128256 x 4096 = 1 050 673 152; final norm 4 096: 8 030 261 248 (Meta's published count)
    assertThat(m.paramsB() * 1e9).isCloseTo(8_030_261_248d, within(0.5));
    assertThat(m.name()).isEqualTo("LlamaForCausalLM");
    assertThat(m.effectiveHeadDim()).isEqualTo(128);
    assertThat(m.kvHeads()).isEqualTo(8);
    assertThat(m.tiedEmbeddings()).hasValue(false);
    assertThat(m.moe().isMoe()).isFalse();
  }

  @Test
  void mixtralCountsEveryExpertAndActiveTheRoutedTwo() throws Exception {
    ModelSpec m = hf("""
        {"_name_or_path": "mistralai/Mixtral-8x7B-v0.1", "model_type": "mixtral", "hidden_size": 4096,
         "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
         "vocab_size": 32000, "num_local_experts": 8, "num_experts_per_tok": 2, "sliding_window": null}""");
    // per layer: attention 41 943 040, 8 experts x 3 x 4096 x 14336 = 1 409 286 144, router 4096 x 8 = 32 768,
    // norms 8 192: 1 451 270 144; x 32 = 46 440 644 608; embeddings 2 x 32000 x 4096 + 4096 = 262 148 096:
    // 46 702 792 704. Active: minus 32 layers x 6 idle experts x 176 160 768 = 12 879 925 248.
    assertThat(m.paramsB() * 1e9).isCloseTo(46_702_792_704d, within(0.5));
    assertThat(m.activeParamsB().getAsDouble() * 1e9).isCloseTo(12_879_925_248d, within(0.5));
    assertThat(m.moe().experts()).isEqualTo(8);
    assertThat(m.moe().expertsPerToken()).isEqualTo(2);
    assertThat(m.moe().expertFfnDim()).isEqualTo(14336);
    assertThat(m.attention().localLayers()).isZero();
  }

  @Test
  void deepSeekV3IsMlaWithSharedExpertsAndDenseLeadingLayers() throws Exception {
    ModelSpec m = hf("""
        {"model_type": "deepseek_v3", "architectures": ["DeepseekV3ForCausalLM"], "hidden_size": 7168,
         "num_hidden_layers": 61, "num_attention_heads": 128, "num_key_value_heads": 128, "intermediate_size": 18432,
         "moe_intermediate_size": 2048, "n_routed_experts": 256, "n_shared_experts": 1, "num_experts_per_tok": 8,
         "first_k_dense_replace": 3, "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_nope_head_dim": 128,
         "qk_rope_head_dim": 64, "v_head_dim": 128, "vocab_size": 129280, "tie_word_embeddings": false}""");
    // DeepSeek's published figures: 671B total, 37B activated (the multi-token-prediction module excluded)
    assertThat(m.paramsB()).isCloseTo(671, within(671 * 0.01));
    assertThat(m.activeParamsB().getAsDouble()).isCloseTo(37, within(37 * 0.02));
    assertThat(m.attention().kind()).isEqualTo(AttentionKind.MLA);
    assertThat(m.attention().kvLoraRank()).isEqualTo(512);
    assertThat(m.attention().ropeHeadDim()).isEqualTo(64);
    assertThat(m.moe().denseLayers()).isEqualTo(3);
    assertThat(m.moe().sharedExperts()).isEqualTo(1);
  }

  @Test
  void gemma2AlternatesLocalLayersAndTiesItsEmbedding() throws Exception {
    ModelSpec m = hf("""
        {"model_type": "gemma2", "hidden_size": 3584, "num_hidden_layers": 42, "num_attention_heads": 16,
         "num_key_value_heads": 8, "head_dim": 256, "intermediate_size": 14336, "vocab_size": 256000,
         "sliding_window": 4096}""");
    // Google's published count for Gemma 2 9B: 9.24B
    assertThat(m.paramsB()).isCloseTo(9.24, within(0.05));
    assertThat(m.tiedEmbeddings()).hasValue(true);
    assertThat(m.attention().localLayers()).isEqualTo(21);
    assertThat(m.attention().slidingWindow()).isEqualTo(4096);
    assertThat(m.headDim()).isEqualTo(256);
  }

  @Test
  void aMultimodalConfigUsesItsTextModel() throws Exception {
    ModelSpec m = hf("""
        {"model_type": "gemma3", "text_config": {"model_type": "gemma3_text", "hidden_size": 2560,
         "num_hidden_layers": 34, "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256,
         "intermediate_size": 10240, "vocab_size": 262208, "sliding_window": 1024, "sliding_window_pattern": 6}}""");
    assertThat(m.hidden()).isEqualTo(2560);
    // 34 layers, one global in every 6: 34 - 34 / 6 = 29 local
    assertThat(m.attention().localLayers()).isEqualTo(29);
  }

  @Test
  void qwen3MoeAndGptOss() throws Exception {
    ModelSpec qwen = hf("""
        {"model_type": "qwen3_moe", "hidden_size": 2048, "num_hidden_layers": 48, "num_attention_heads": 32,
         "num_key_value_heads": 4, "head_dim": 128, "intermediate_size": 6144, "moe_intermediate_size": 768,
         "num_experts": 128, "num_experts_per_tok": 8, "vocab_size": 151936, "tie_word_embeddings": false,
         "mlp_only_layers": [], "use_sliding_window": false, "sliding_window": null}""");
    // Qwen's published figures for Qwen3-30B-A3B: 30.5B total, 3.3B activated
    assertThat(qwen.paramsB()).isCloseTo(30.5, within(0.3));
    assertThat(qwen.activeParamsB().getAsDouble()).isCloseTo(3.3, within(0.1));
    ModelSpec oss = hf("""
        {"model_type": "gpt_oss", "hidden_size": 2880, "num_hidden_layers": 24, "num_attention_heads": 64,
         "num_key_value_heads": 8, "head_dim": 64, "intermediate_size": 2880, "num_local_experts": 32,
         "experts_per_token": 4, "vocab_size": 201088, "tie_word_embeddings": false, "sliding_window": 128,
         "layer_types": ["sliding_attention", "full_attention", "sliding_attention", "full_attention"]}""");
    // OpenAI's published figures for gpt-oss-20b: 20.91B total, 3.61B active. OpenAI's active count leaves out the
    // input embedding (201088 x 2880 = 579 133 440, a lookup); tuner's, like Mistral's 12.9B for Mixtral, keeps it:
    // 3.61B + 0.58B = 4.19B
    assertThat(oss.paramsB()).isCloseTo(20.91, within(0.01));
    assertThat(oss.activeParamsB().getAsDouble()).isCloseTo(4.19, within(0.01));
    assertThat(oss.attention().localLayers()).isEqualTo(2);
  }

  @Test
  void aConfigWhoseHeadsDoNotSplitTheHiddenSizeIsRefusedWithTheRule() {
    assertThatThrownBy(() -> hf("""
        {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 7,
         "num_key_value_heads": 7, "intermediate_size": 11008, "vocab_size": 32000}"""))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("head_dim = hidden / heads must be whole");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // a figure in quotes, a fraction, a negative count and a flag that is not one: each would silently change the
      // model if read as absent (8 KV heads taken for none give all 32 heads their own)
      "num_key_value_heads | \"8\" | a whole number >= 0, or null",
      "intermediate_size   | 14336.5 | a whole number >= 0, or null",
      "sliding_window      | -4096  | a whole number >= 0, or null",
      "tie_word_embeddings | \"no\" | true or false, or null"})
  void aFigureThatIsNotOneIsRefusedNamingItsKey(String key, String value, String allowed) {
    String json = """
        {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
         "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256, "tie_word_embeddings": false,
         "sliding_window": null}""".replaceFirst("\"" + key + "\": [^,}]+", "\"" + key + "\": " + value);
    assertThatThrownBy(() -> hf(json)).isInstanceOf(InvalidInputException.class)
        .hasMessage("config.json " + key + " (HfConfig.read's file, --hf-config in the CLI) = " + value
            + " is invalid: expected " + allowed);
  }

  @Test
  void aNullFigureIsAbsentAndAWholeFractionIsWhole() throws Exception {
    ModelSpec m = hf("""
        {"model_type": "llama", "hidden_size": 4096.0, "num_hidden_layers": 32, "num_attention_heads": 32,
         "num_key_value_heads": null, "intermediate_size": 14336, "vocab_size": 128256, "sliding_window": null}""");
    assertThat(m.hidden()).isEqualTo(4096);
    // no KV-head figure: one per head (multi-head attention)
    assertThat(m.kvHeads()).isEqualTo(32);
    assertThat(m.attention().localLayers()).isZero();
  }

  @Test
  void theGgufHeaderGivesShapeParametersAndTrueBitsPerWeight() throws Exception {
    GgufHeader h = GgufHeader.read(new ByteArrayInputStream(Gguf.tinyLlama()), "tiny.gguf");
    // parameters: 2 x 4096 x 32000 + 4096 x 4096 + 11008 x 4096 + 4096 = 324 014 080
    assertThat(h.parameters()).isEqualTo(324_014_080L);
    // bytes: Q6_K 210 per 256 -> 2 x 131 072 000 / 256 x 210 = 215 040 000; Q4_K 144 per 256 ->
    // (16 777 216 + 45 088 768) / 256 x 144 = 34 799 616; F32 4096 x 4 = 16 384: 249 856 000
    assertThat(h.weightBytes()).isEqualTo(249_856_000L);
    assertThat(h.bitsPerWeight()).isCloseTo(249_856_000 * 8.0 / 324_014_080, within(1e-12));
    assertThat(h.typeParameters()).containsEntry("Q6_K", 262_144_000L).containsEntry("Q4_K", 61_865_984L)
        .containsEntry("F32", 4096L);
    assertThat(h.fileType()).hasValue("Q4_K_M");
    ModelSpec m = h.model("tiny", "tiny.gguf");
    assertThat(m.name()).isEqualTo("Tiny GGUF");
    assertThat(m.paramsB()).isCloseTo(0.32401408, within(1e-12));
    assertThat(Arrays.asList(m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.vocab(), m.ffnDim()))
        .containsExactly(4096, 1, 32, 8, 32000, 11008);
    assertThat(m.tiedEmbeddings()).hasValue(false);
    assertThat(m.architecture()).isEqualTo("llama");
  }

  /**
   * A mixture's stacked experts (three dimensions, several along the third) in MXFP4 beside an F16 attention tensor
   * and an F32 norm: experts 4 × 32 × 64 = 8192 weights, 8192 / 32 × 17 = 4352 bytes (4.25 bits); attention 64 × 64
   * F16, 8192 bytes; norm 64 F32, 256 bytes.
   */
  private static GgufHeader experts(int fileType, int restType) {
    byte[] b = new Gguf().string("general.architecture", "gpt-oss").u32("general.file_type", fileType)
        .tensor("blk.0.ffn_up_exps.weight", 39, 64, 32, 4)
        .tensor("blk.0.attn_q.weight", restType, 64, 64)
        .tensor("blk.0.attn_norm.weight", 0, 64)
        .bytes();
    try {
      return GgufHeader.read(new ByteArrayInputStream(b), "experts.gguf");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aFileStatesItsExpertsOwnBitsAndAnF16FileWithMxfp4ExpertsRunsAsTheConvertedCheckpoint() {
    GgufHeader f16 = experts(1, 1);
    assertThat(f16.expertTypeParameters()).containsExactly(Map.entry("MXFP4", 8192L));
    assertThat(f16.expertBitsPerWeight()).hasValue(4.25);
    Quantization q = f16.quantization(Fixtures.CATALOG, "experts.gguf").orElseThrow();
    // (4352 + 8192 + 256) × 8 / (8192 + 4096 + 64) bits; the 16-bit file type's kernels would not be llama.cpp's
    assertThat(q.bitsPerWeight()).isCloseTo(12_800 * 8.0 / 12_352, within(1e-12));
    assertThat(q.expertBitsPerWeight()).hasValue(4.25);
    assertThat(q.otherBitsPerWeight()).isEmpty();
    assertThat(q.activation()).isEqualTo(Fixtures.CATALOG.quant("MXFP4_EXPERTS_F16").activation());
    assertThat(q.name()).isEqualTo("F16 of experts.gguf");
    // llama-quantize's own MXFP4_MOE (file type 38) with a Q8_0 rest: 4096 / 32 × 34 = 4352 bytes
    Quantization moe = experts(38, 8).quantization(Fixtures.CATALOG, "moe.gguf").orElseThrow();
    assertThat(moe.bitsPerWeight()).isCloseTo((4352 + 4352 + 256) * 8.0 / 12_352, within(1e-12));
    assertThat(moe.expertBitsPerWeight()).hasValue(4.25);
    assertThat(moe.quantClass()).isEqualTo(Fixtures.CATALOG.quant("MXFP4_MOE").quantClass());
  }

  /**
   * A file with a multi-token-prediction block (GLM-4.5's nextn layer): block_count 3 with nextn_predict_layers 1, so
   * blocks 0 and 1 run and block 2 (eh_proj 4096 × 2048 + attn_q 2048 × 2048 = 12 582 912 parameters) is held and
   * never run. Tables 2 × 2048 × 4096 = 16 777 216; blocks 0 and 1 3 × 2048 × 2048 each: 54 525 952 in all.
   */
  @Test
  void aMultiTokenPredictionBlockIsCountedApartFromTheLayers() throws Exception {
    byte[] b = new Gguf().string("general.architecture", "glm4moe").u32("glm4moe.embedding_length", 2048)
        .u32("glm4moe.block_count", 3).u32("glm4moe.nextn_predict_layers", 1)
        .u32("glm4moe.attention.head_count", 16).u32("glm4moe.attention.head_count_kv", 16)
        .u32("glm4moe.feed_forward_length", 2048).u32("glm4moe.vocab_size", 4096).u32("general.file_type", 1)
        .tensor("token_embd.weight", 1, 2048, 4096)
        .tensor("blk.0.attn_q.weight", 1, 2048, 2048).tensor("blk.0.attn_k.weight", 1, 2048, 2048)
        .tensor("blk.0.attn_v.weight", 1, 2048, 2048)
        .tensor("blk.1.attn_q.weight", 1, 2048, 2048).tensor("blk.1.attn_k.weight", 1, 2048, 2048)
        .tensor("blk.1.attn_v.weight", 1, 2048, 2048)
        .tensor("blk.2.nextn.eh_proj.weight", 1, 4096, 2048).tensor("blk.2.attn_q.weight", 1, 2048, 2048)
        .tensor("output.weight", 1, 2048, 4096)
        .bytes();
    GgufHeader h = GgufHeader.read(new ByteArrayInputStream(b), "glm.gguf");
    assertThat(h.nextnParameters()).isEqualTo(12_582_912L);
    ModelSpec m = h.model("glm", "glm.gguf");
    assertThat(m.layers()).isEqualTo(2);
    assertThat(m.paramsB()).isCloseTo(54_525_952 / 1e9, within(1e-15));
    assertThat(m.mtpParamsB()).isCloseTo(12_582_912 / 1e9, within(1e-15));
    // without the key every block runs
    GgufHeader plain = GgufHeader.read(new ByteArrayInputStream(Gguf.tinyLlama()), "tiny.gguf");
    assertThat(plain.nextnParameters()).isZero();
    assertThat(plain.model("tiny", "tiny.gguf").mtpParamsB()).isZero();
  }

  @Test
  void aDenseFileHasNoExpertFigure() throws Exception {
    GgufHeader h = GgufHeader.read(new ByteArrayInputStream(Gguf.tinyLlama()), "tiny.gguf");
    assertThat(h.expertBitsPerWeight()).isEmpty();
    Quantization q = h.quantization(Fixtures.CATALOG, "tiny.gguf").orElseThrow();
    assertThat(q.expertBitsPerWeight()).isEmpty();
    assertThat(q.quantClass()).isEqualTo(Fixtures.CATALOG.quant("Q4_K_M").quantClass());
  }

  /** An embedder reads files without the CLI: a refusal names the library's parameter before the CLI's flag. */
  @Test
  void aTruncatedOrForeignFileIsRefused() {
    byte[] full = Gguf.tinyLlama();
    assertThatThrownBy(() -> GgufHeader.read(new ByteArrayInputStream(Arrays.copyOf(full, full.length - 9)),
        "cut.gguf")).isInstanceOf(InvalidInputException.class).hasMessageContaining("ends inside its header");
    assertThatThrownBy(() -> GgufHeader.read(new ByteArrayInputStream("PK\u0003\u0004 not gguf".getBytes()),
        "x.gguf")).isInstanceOf(InvalidInputException.class).hasMessage("GGUF file (GgufHeader.read's file, --gguf"
            + " in the CLI) = x.gguf (no GGUF magic) is invalid: expected a GGUF model file");
  }

  @Test
  void aTensorOfATypeGgmlDoesNotHaveIsRefusedNamingTheFile() {
    byte[] odd = new Gguf().string("general.architecture", "llama").tensor("token_embd.weight", 99, 4096, 32000)
        .bytes();
    assertThatThrownBy(() -> GgufHeader.read(new ByteArrayInputStream(odd), "odd.gguf"))
        .isInstanceOf(InvalidInputException.class).hasMessage("GGUF file (GgufHeader.read's file, --gguf in the CLI)"
            + " = odd.gguf (tensor type 99) is invalid: expected a ggml tensor type tuner knows");
  }
}
