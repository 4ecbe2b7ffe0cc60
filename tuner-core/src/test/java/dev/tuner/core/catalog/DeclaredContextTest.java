package dev.tuner.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.ModelSpec;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The context a model declares (models.csv {@code max_context}, a config.json's {@code max_position_embeddings}, a
 * GGUF header's {@code <arch>.context_length}) and what a scenario beyond it is told.
 */
class DeclaredContextTest {
  private static final String HEADER = "model,params_b,hidden,layers,heads,kv_heads,head_dim,vocab,max_context\n";

  private static ModelSpec hf(String json) throws Exception {
    return HfConfig.of(new ObjectMapper().readTree(json), "config.json");
  }

  @Test
  void theShippedCatalogStatesTheConfigsFigures() {
    Catalog c = Catalog.shipped();
    // Llama 2: max_position_embeddings 4096; Llama 3.1: 131072 (its llama3 rope scaling is in the config); Qwen3 8B:
    // 40960 (the 131072 of its card needs a YaRN block the config does not carry)
    assertThat(c.model("Llama 2 7B").maxContext()).hasValue(4096);
    assertThat(c.model("Llama 3.1 8B").maxContext()).hasValue(131072);
    assertThat(c.model("Qwen3 8B").maxContext()).hasValue(40960);
    assertThat(c.model("GPT-J 6B").maxContext()).hasValue(2048);
  }

  /** A multi-token-prediction module's size: blank is none, a bad one is refused naming the column or the limit. */
  @Test
  void aModuleSizeIsReadAndABadOneRefused() {
    String header = "model,params_b,hidden,layers,heads,kv_heads,head_dim,vocab,mtp_params_b\n";
    assertThat(CatalogReaders.models(new StringReader(header + "A,110.47,4096,46,96,8,128,151552,3.62\n"), "m.csv")
        .get(0).mtpParamsB()).isEqualTo(3.62);
    assertThat(CatalogReaders.models(new StringReader(header + "A,6.74,4096,32,32,32,128,32000,\n"), "m.csv")
        .get(0).mtpParamsB()).isZero();
    assertThatThrownBy(() -> CatalogReaders.models(new StringReader(header + "A,6.74,4096,32,32,32,128,32000,x\n"),
        "m.csv")).isInstanceOf(InvalidInputException.class).hasMessageContaining("mtp_params_b")
        .hasMessageContaining("x");
    assertThatThrownBy(() -> CatalogReaders.models(new StringReader(header + "A,6.74,4096,32,32,32,128,32000,5\n"),
        "m.csv")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("model multi-token-prediction parameters").hasMessageContaining("part of the parameters");
  }

  @Test
  void aBlankCellIsUnknownAndABadOneIsRefusedNamingTheColumn() {
    List<ModelSpec> m = CatalogReaders.models(new StringReader(HEADER + "A,6.74,4096,32,32,32,128,32000,\n"), "m.csv");
    assertThat(m.get(0).maxContext()).isEmpty();
    assertThat(m.get(0).beyondContext(1_000_000)).isEmpty();
    assertThatThrownBy(() -> CatalogReaders.models(new StringReader(HEADER + "A,6.74,4096,32,32,32,128,32000,4k\n"),
        "m.csv")).isInstanceOf(InvalidInputException.class).hasMessageContaining("max_context")
        .hasMessageContaining("4k").hasMessageContaining("whole number");
    assertThatThrownBy(() -> CatalogReaders.models(new StringReader(HEADER + "A,6.74,4096,32,32,32,128,32000,0\n"),
        "m.csv")).isInstanceOf(InvalidInputException.class).hasMessageContaining("maximum context")
        .hasMessageContaining("tokens");
  }

  @Test
  void beyondTheDeclaredContextIsSaidWithBothFigures() {
    ModelSpec m = CatalogReaders.models(new StringReader(HEADER + "A,6.74,4096,32,32,32,128,32000,4096\n"), "m.csv")
        .get(0);
    assertThat(m.beyondContext(4096)).isEmpty();
    assertThat(m.beyondContext(4097)).hasValueSatisfying(why -> assertThat(why)
        .startsWith("4097 tokens per sequence exceed the 4096-token context A declares")
        .contains("llama-server caps a slot").contains("vLLM and SGLang refuse it"));
  }

  @Test
  void aConfigJsonGivesItsMaxPositionEmbeddingsOrNPositions() throws Exception {
    assertThat(hf("""
        {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
         "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256,
         "max_position_embeddings": 131072}""").maxContext()).isEqualTo(OptionalInt.of(131072));
    assertThat(hf("""
        {"model_type": "gptj", "n_embd": 4096, "n_layer": 28, "n_head": 16, "vocab_size": 50400,
         "n_positions": 2048}""").maxContext()).isEqualTo(OptionalInt.of(2048));
    assertThat(hf("""
        {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
         "intermediate_size": 11008, "vocab_size": 32000}""").maxContext()).isEmpty();
    assertThatThrownBy(() -> hf("""
        {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
         "intermediate_size": 11008, "vocab_size": 32000, "max_position_embeddings": "4096"}"""))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("max_position_embeddings");
  }

  @Test
  void aYarnBlockExtendsTheContextAsVllmDerivesIt() throws Exception {
    String qwen3 = """
        {"model_type": "qwen3", "hidden_size": 4096, "num_hidden_layers": 36, "num_attention_heads": 32,
         "num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 12288, "vocab_size": 151936,
         "max_position_embeddings": 40960%s}""";
    assertThat(hf(qwen3.formatted("")).maxContext()).isEqualTo(OptionalInt.of(40960));
    // the block Qwen3's card tells users to add: 32 768 × 4 = 131 072
    assertThat(hf(qwen3.formatted(", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0,"
        + " \"original_max_position_embeddings\": 32768}")).maxContext()).isEqualTo(OptionalInt.of(131072));
    // Gemma 3's linear block is read as the key states the context, not multiplied
    assertThat(hf(qwen3.formatted(", \"rope_scaling\": {\"rope_type\": \"linear\", \"factor\": 8.0}"))
        .maxContext()).isEqualTo(OptionalInt.of(40960));
    assertThatThrownBy(() -> hf(qwen3.formatted(", \"rope_scaling\": {\"type\": \"yarn\", \"factor\": \"4\"}")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("rope_scaling.factor");
  }

  @Test
  void aGgufHeaderGivesItsTrainedContext() throws Exception {
    Gguf g = new Gguf().string("general.architecture", "llama").u32("llama.embedding_length", 4096)
        .u32("llama.block_count", 32).u32("llama.attention.head_count", 32).u32("llama.attention.head_count_kv", 8)
        .u32("llama.feed_forward_length", 14336).u32("llama.vocab_size", 128256)
        .tensor("token_embd.weight", 1, 4096, 128256).tensor("blk.all.weight", 1, 4096, 1_800_000);
    ModelSpec without = GgufHeader.read(new ByteArrayInputStream(g.bytes()), "x.gguf").model("x", "x.gguf");
    assertThat(without.maxContext()).isEmpty();
    ModelSpec with = GgufHeader.read(new ByteArrayInputStream(g.u32("llama.context_length", 8192).bytes()), "x.gguf")
        .model("x", "x.gguf");
    assertThat(with.maxContext()).isEqualTo(OptionalInt.of(8192));
  }
}
