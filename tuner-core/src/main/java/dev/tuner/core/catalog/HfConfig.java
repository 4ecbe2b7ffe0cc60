package dev.tuner.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.FileChecks;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.ModelShape;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A model from its Hugging Face {@code config.json}: the shape fields mapped to a {@link ModelSpec}, and the parameter
 * count computed from the shape, since config.json does not state it. Families: Llama, Mistral and Mixtral, Qwen2,
 * Qwen2.5 and Qwen3 with their MoE variants, Gemma 2 and 3 (a multimodal config's {@code text_config}), DeepSeek-V3
 * (MLA and shared experts), gpt-oss, Phi-2, Phi-3/4 and Phi-3.5-MoE.
 *
 * <p>The count, per layer: attention Q, K, V and O projections (MLA: its low-rank Q and KV paths), the FFN (gated:
 * gate, up and down, 3 × hidden × inner; Phi-2's plain MLP: 2 ×), for MoE layers every routed and shared expert and
 * the router (hidden × experts), and two norms of hidden; then the embedding, a separate LM head unless tied, and the
 * final norm. Biases, QK norms and attention sinks are left out (under 0.1% of any model above 1B), as are vision
 * towers and DeepSeek's multi-token-prediction layer, which plain decoding does not run. For Llama 3 8B this gives
 * 8 030 261 248, its published count.
 */
public final class HfConfig {
  /**
   * Where a refused file came from, as the library's parameter first and the CLI's flag second: an embedder that
   * calls {@link #read} has no --hf-config to look for.
   */
  private static final String SOURCE = " (HfConfig.read's file, --hf-config in the CLI)";
  private static final String FILE = "config.json" + SOURCE;

  private HfConfig() {}

  public static ModelSpec read(Path file) {
    FileChecks.requireReadableFile(FILE, file);
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(file));
    } catch (IOException e) {
      throw new InvalidInputException(FILE, file + " (" + String.valueOf(e.getMessage()).split("\n")[0] + ")",
          "a Hugging Face config.json");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException(FILE, file.toString(), "a JSON object (a Hugging Face config.json)");
    }
    return of(root, file.toString());
  }

  static ModelSpec of(JsonNode root, String source) {
    JsonNode c = root.has("text_config") && root.get("text_config").isObject() ? root.get("text_config") : root;
    String type = text(c, "model_type").or(() -> text(root, "model_type")).orElse("").toLowerCase(Locale.ROOT);
    int hidden = required(c, source, "hidden_size", "n_embd", "d_model");
    int layers = required(c, source, "num_hidden_layers", "n_layer", "num_layers");
    int heads = required(c, source, "num_attention_heads", "n_head");
    int kvHeads = integer(c, "num_key_value_heads").filter(v -> v > 0).orElse(heads);
    int vocab = required(c, source, "vocab_size");
    boolean tied = bool(c, "tie_word_embeddings").or(() -> bool(root, "tie_word_embeddings"))
        .orElse(type.startsWith("gemma"));
    int ffn = integer(c, "intermediate_size").orElse(integer(c, "ffn_dim").orElse(0));

    // mixture of experts: the key names differ by family
    int experts = integer(c, "num_local_experts").or(() -> integer(c, "n_routed_experts"))
        .or(() -> integer(c, "num_experts")).orElse(0);
    int perToken = integer(c, "num_experts_per_tok").or(() -> integer(c, "experts_per_token")).orElse(0);
    int expertFfn = integer(c, "moe_intermediate_size").orElse(type.equals("mixtral") || type.equals("gpt_oss")
        || type.equals("phimoe") ? ffn : 0);
    int shared = integer(c, "n_shared_experts").orElse(0);
    int sharedFfn = shared * expertFfn;
    if (shared == 0 && integer(c, "shared_expert_intermediate_size").orElse(0) > 0) {
      sharedFfn = integer(c, "shared_expert_intermediate_size").get();
      shared = expertFfn > 0 && sharedFfn % expertFfn == 0 ? sharedFfn / expertFfn : 1;
    }
    int denseLayers = integer(c, "first_k_dense_replace").orElse(0);
    if (experts > 0 && c.path("mlp_only_layers").isArray()) {
      denseLayers = Math.max(denseLayers, c.get("mlp_only_layers").size());
    }
    int moeLayers = experts > 0 ? layers - denseLayers : 0;

    // attention
    boolean mla = integer(c, "kv_lora_rank").orElse(0) > 0;
    int headDim;
    long attention;
    AttentionSpec attn;
    if (mla) {
      int qLora = integer(c, "q_lora_rank").orElse(0);
      int kvLora = integer(c, "kv_lora_rank").get();
      int nope = integer(c, "qk_nope_head_dim").orElse(0);
      int rope = integer(c, "qk_rope_head_dim").orElse(0);
      int vDim = integer(c, "v_head_dim").orElse(nope);
      headDim = nope + rope;
      long q = qLora > 0 ? (long) hidden * qLora + qLora + (long) qLora * heads * headDim : (long) hidden * heads
          * headDim;
      long kv = (long) hidden * (kvLora + rope) + kvLora + (long) kvLora * heads * (nope + vDim);
      attention = q + kv + (long) heads * vDim * hidden;
      attn = new AttentionSpec(AttentionKind.MLA, kvLora, rope, 0, 0, 0, 0);
      kvHeads = heads;
    } else {
      // without head_dim the heads must split the hidden size evenly; 0 lets ModelShape refuse it with its rule
      headDim = integer(c, "head_dim").filter(v -> v > 0).orElse(hidden % heads == 0 ? hidden / heads : 0);
      int dim = headDim > 0 ? headDim : hidden / heads;
      attention = 2L * hidden * heads * dim + 2L * hidden * kvHeads * dim;
      int window = integer(c, "sliding_window").orElse(0);
      int local = localLayers(c, type, layers, window);
      attn = new AttentionSpec(kvHeads == heads ? AttentionKind.MHA : AttentionKind.GQA, 0, 0, local > 0 ? window : 0,
          local, 0, 0);
    }
    long denseFfn = (type.equals("phi") ? 2L : 3L) * hidden * ffn;
    long expert = 3L * hidden * expertFfn;
    long moeFfn = experts * expert + 3L * hidden * sharedFfn + (long) hidden * experts;
    long norms = 2L * hidden;
    long perDense = attention + denseFfn + norms;
    long perMoe = attention + moeFfn + norms;
    long embeddings = (long) vocab * hidden * (tied ? 1 : 2) + hidden;
    long total = embeddings + (long) (layers - moeLayers) * perDense + (long) moeLayers * perMoe;
    long active = total - (long) moeLayers * (experts - perToken) * expert;

    String name = text(root, "_name_or_path").filter(s -> !s.isBlank())
        .or(() -> root.path("architectures").isArray() && root.get("architectures").size() > 0
            ? Optional.of(root.get("architectures").get(0).asText()) : Optional.empty())
        .orElse(type.isEmpty() ? "model" : type);
    ModelSpec m = new ModelSpec(
        name,
        total / 1e9,
        hidden,
        layers,
        heads,
        kvHeads,
        headDim,
        vocab,
        List.of(),
        "config.json " + source,
        type.isEmpty() ? null : type,
        experts > 0 ? OptionalDouble.of(active / 1e9) : OptionalDouble.empty(),
        Optional.of(tied),
        denseLayers > 0 || experts == 0 ? ffn : 0,
        experts > 0 ? new MoeSpec(experts, perToken, shared, expertFfn, denseLayers) : MoeSpec.NONE,
        attn,
        context(c));
    ModelShape.requirePlausible(m);
    return m;
  }

  /**
   * Layers that attend over a sliding window: counted from {@code layer_types} when the config lists them; Gemma 2
   * alternates local and global layers; Gemma 3 has one global layer in every {@code sliding_window_pattern} (6);
   * Mistral with a window slides on every layer; elsewhere a window is used only with {@code use_sliding_window}.
   */
  private static int localLayers(JsonNode c, String type, int layers, int window) {
    if (window <= 0) {
      return 0;
    }
    if (c.path("layer_types").isArray()) {
      int n = 0;
      for (JsonNode t : c.get("layer_types")) {
        n += t.asText().equals("sliding_attention") ? 1 : 0;
      }
      return n;
    }
    if (type.equals("gemma2")) {
      return layers / 2;
    }
    if (type.startsWith("gemma3")) {
      int pattern = integer(c, "sliding_window_pattern").filter(v -> v > 0).orElse(6);
      return layers - layers / pattern;
    }
    if (type.equals("mistral") || type.equals("gpt_oss")) {
      return type.equals("gpt_oss") ? layers / 2 : layers;
    }
    return bool(c, "use_sliding_window").orElse(false) ? layers : 0;
  }

  /**
   * The context the config declares, as vLLM derives its default {@code max_model_len} from it (data/SOURCES.md
   * {@code doc_context_limit}): {@code max_position_embeddings} (GPT-2 style configs: {@code n_positions}), or, where
   * a YaRN block extends it (the block Qwen's cards tell users to add), its {@code original_max_position_embeddings}
   * times its {@code factor}. Other scaling types are read as the key states them: vLLM multiplies linear and dynamic
   * factors too, which for Gemma 3's linear block would claim a context its card does not.
   */
  private static OptionalInt context(JsonNode c) {
    Optional<Integer> stated = integer(c, "max_position_embeddings").or(() -> integer(c, "n_positions"))
        .filter(v -> v > 0);
    JsonNode rope = c.path("rope_scaling");
    String type = text(rope, "rope_type").or(() -> text(rope, "type")).orElse("");
    if (rope.isObject() && type.equals("yarn")) {
      Optional<Integer> original = integer(rope, "original_max_position_embeddings");
      JsonNode factor = rope.get("factor");
      if (factor == null || !factor.isNumber() || !(factor.doubleValue() >= 1)) {
        throw new InvalidInputException(key("rope_scaling.factor"), String.valueOf(factor),
            "a number >= 1 in a yarn rope_scaling block");
      }
      int base = original.orElse(stated.orElse(0));
      if (base > 0) {
        return OptionalInt.of((int) Math.min(Integer.MAX_VALUE, Math.round(base * factor.doubleValue())));
      }
    }
    return stated.map(OptionalInt::of).orElse(OptionalInt.empty());
  }

  private static Optional<String> text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
  }

  /**
   * A whole number the config states; empty when the key is absent or null (configs write {@code "sliding_window":
   * null}). Anything else, a string, a fraction or a negative count, is refused naming the key: read as absent it
   * would silently change the model (a {@code num_key_value_heads} of {@code "8"} taken for none gives every head its
   * own KV head).
   */
  private static Optional<Integer> integer(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isNumber() || v.doubleValue() != Math.rint(v.doubleValue()) || v.doubleValue() < 0
        || v.doubleValue() > Integer.MAX_VALUE) {
      throw new InvalidInputException(key(key), v.toString(), "a whole number >= 0, or null");
    }
    return Optional.of(v.intValue());
  }

  /** A flag the config states; empty when absent or null, refused naming the key when not true or false. */
  private static Optional<Boolean> bool(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw new InvalidInputException(key(key), v.toString(), "true or false, or null");
    }
    return Optional.of(v.booleanValue());
  }

  private static int required(JsonNode n, String source, String... keys) {
    for (String k : keys) {
      Optional<Integer> v = integer(n, k);
      if (v.isPresent() && v.get() > 0) {
        return v.get();
      }
    }
    throw new InvalidInputException(FILE, source + " (no " + keys[0] + ")",
        "a config.json with " + String.join(" or ", keys));
  }

  /** The field of a refused {@code key} of the file. */
  private static String key(String key) {
    return "config.json " + key + SOURCE;
  }
}
